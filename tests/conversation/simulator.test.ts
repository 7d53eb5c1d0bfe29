import { conversationSuite } from './suite.js';
import { englishConversationSuite } from './suite-en.js';
import { FIRST_WEEK_ENV, firstWeekSuite } from './suite-first-week.js';
import { simulatorDriver } from './simulator-driver.js';

conversationSuite('the simulator', simulatorDriver);
englishConversationSuite('the simulator', simulatorDriver);
firstWeekSuite('the simulator', () => simulatorDriver(FIRST_WEEK_ENV));
