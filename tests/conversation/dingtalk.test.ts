import { dingtalkDriver } from './dingtalk-driver.js';
import { conversationSuite } from './suite.js';

conversationSuite('DingTalk', dingtalkDriver);
