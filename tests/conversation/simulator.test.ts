import { conversationSuite } from './suite.js';
import { simulatorDriver } from './simulator-driver.js';

conversationSuite('the simulator', simulatorDriver);
