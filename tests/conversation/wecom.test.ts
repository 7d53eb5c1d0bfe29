import { conversationSuite } from './suite.js';
import { wecomDriver } from './wecom-driver.js';

conversationSuite('WeCom', wecomDriver);
