import { conversationSuite } from './suite.js';
import { englishConversationSuite } from './suite-en.js';
import { FIRST_WEEK_ENV, firstWeekSuite } from './suite-first-week.js';
import { wecomDriver } from './wecom-driver.js';

conversationSuite('WeCom (app callback + intelligent bot)', () => wecomDriver('app+bot'));
conversationSuite('WeCom (intelligent bot long connection only)', () => wecomDriver('bot'));
englishConversationSuite('WeCom (app callback + intelligent bot)', () => wecomDriver('app+bot'));
firstWeekSuite('WeCom (app callback + intelligent bot)', () => wecomDriver('app+bot', FIRST_WEEK_ENV));
