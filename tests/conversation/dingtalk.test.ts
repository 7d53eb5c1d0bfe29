import { dingtalkDriver } from './dingtalk-driver.js';
import { conversationSuite } from './suite.js';
import { englishConversationSuite } from './suite-en.js';
import { FIRST_WEEK_ENV, firstWeekSuite } from './suite-first-week.js';

conversationSuite('DingTalk', dingtalkDriver);
englishConversationSuite('DingTalk', dingtalkDriver);
firstWeekSuite('DingTalk', () => dingtalkDriver(FIRST_WEEK_ENV));
