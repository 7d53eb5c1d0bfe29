import { conversationSuite } from './suite.js';
import { englishConversationSuite } from './suite-en.js';
import { simulatorDriver } from './simulator-driver.js';

conversationSuite('the simulator', simulatorDriver);
englishConversationSuite('the simulator', simulatorDriver);
