/**
 * DingTalk wire shapes, as far as Huiwu reads or writes them. Only `src/platforms/dingtalk/` and
 * `card-render.ts` import this file. Reference: shared docs `platforms.md` part B.
 */

/** `data` of a CALLBACK frame on topic `/v1.0/im/bot/messages/get` (B3). */
export interface RobotMessage {
  msgId: string;
  msgtype: string;
  text?: { content: string };
  content?: unknown;
  conversationId: string;
  /** `"1"` one-to-one, `"2"` group. */
  conversationType: string;
  conversationTitle?: string;
  senderId?: string;
  senderStaffId?: string;
  senderNick?: string;
  senderCorpId?: string;
  isAdmin?: boolean;
  chatbotUserId?: string;
  robotCode?: string;
  atUsers?: Array<{ dingtalkId: string; staffId?: string }>;
  isInAtList?: boolean;
  sessionWebhook?: string;
  /** Epoch milliseconds. */
  sessionWebhookExpiredTime?: number;
  createAt?: number;
}

/** `data` of a CALLBACK frame on topic `/v1.0/card/instances/callback` (B6). */
export interface CardCallback {
  type?: string;
  outTrackId: string;
  userId: string;
  userIdType?: number;
  corpId?: string;
  spaceType?: string;
  spaceId?: string;
  /** JSON string: `{"cardPrivateData":{"actionIds":[...],"params":{...}}}`. */
  content?: string;
  extension?: string;
}

export interface CardPrivateData {
  cardPrivateData?: { actionIds?: string[]; params?: Record<string, unknown> };
}

/** Card data as the card APIs and the callback ACK take it: every value a string. */
export interface CardParamMap {
  [key: string]: string;
}

/** The `response` of a card callback ACK that updates the card at once. */
export interface CardCallbackResponse {
  cardData?: { cardParamMap: CardParamMap };
  userPrivateData?: { cardParamMap: CardParamMap };
  cardUpdateOptions?: { updateCardDataByKey?: boolean; updatePrivateDataByKey?: boolean };
}

/** `POST /v1.0/robot/oToMessages/batchSend` answer. */
export interface BatchSendResult {
  processQueryKey?: string;
  invalidStaffIdList?: string[];
  flowControlledStaffIdList?: string[];
}

/** `POST /v1.0/card/instances/createAndDeliver` answer. */
export interface CreateAndDeliverResult {
  success?: boolean;
  result?: { outTrackId?: string; deliverResults?: Array<{ spaceType?: string; spaceId?: string; success?: boolean; errorMsg?: string }> };
}

/** Error body of `api.dingtalk.com` (B4); the IP block answer has `status`/`wait` instead. */
export interface OpenApiErrorBody {
  code?: string;
  message?: string;
  requestid?: string;
  status?: number;
  wait?: number;
  punish?: string;
}
