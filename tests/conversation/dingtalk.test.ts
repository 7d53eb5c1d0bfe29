import { dingtalkDriver } from './dingtalk-driver.js';
import { conversationSuite } from './suite.js';
import { englishConversationSuite } from './suite-en.js';

conversationSuite('DingTalk', dingtalkDriver);
englishConversationSuite('DingTalk', dingtalkDriver);
