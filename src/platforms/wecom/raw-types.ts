/**
 * WeCom wire shapes, exactly as the platform sends and expects them. Nothing outside
 * `src/platforms/wecom/` (its card renderer `card-render.ts` included) uses these.
 * Docs: https://developer.work.weixin.qq.com/document/path/90239 (callbacks),
 * /path/90236 (message/send), /path/94888 (update_template_card), /path/101463 (long connection).
 */

/** Decrypted app callback, after XML parsing (every leaf kept as a string). */
export interface WecomCallbackXml {
  ToUserName?: string;
  FromUserName?: string;
  CreateTime?: string;
  MsgType?: string;
  AgentID?: string;
  MsgId?: string;
  Content?: string;
  /** image / file (and voice, video) messages: the temporary media id for media/get. */
  MediaId?: string;
  PicUrl?: string;
  /** file messages, when WeCom names the file. */
  FileName?: string;
  Event?: string;
  EventKey?: string;
  TaskId?: string;
  CardType?: string;
  ResponseCode?: string;
  SelectedItems?: { SelectedItem?: WecomSelectedItemXml | WecomSelectedItemXml[] };
}

export interface WecomSelectedItemXml {
  QuestionKey?: string;
  OptionIds?: { OptionId?: string | string[] };
}

/** Every API answer: HTTP 200 with an errcode. */
export interface WecomApiResponse {
  errcode: number;
  errmsg: string;
  [key: string]: unknown;
}

export interface WecomTokenResponse extends WecomApiResponse {
  access_token?: string;
  expires_in?: number;
}

export interface WecomSendResponse extends WecomApiResponse {
  msgid?: string;
  response_code?: string;
  invaliduser?: string;
}

/** media/upload (and the bot's upload finish receipt): `created_at` is epoch seconds as a string. */
export interface WecomMediaUploadResponse extends WecomApiResponse {
  type?: string;
  media_id?: string;
  created_at?: string;
}

export interface WecomUserResponse extends WecomApiResponse {
  userid?: string;
  name?: string;
}

export interface WecomButton {
  type?: 0 | 1;
  text: string;
  style?: 1 | 2 | 3 | 4;
  key: string;
}

export interface WecomOption {
  id: string;
  text: string;
  is_checked?: boolean;
}

/** The template_card object of message/send, aibot replies and update_template_card. */
export interface WecomTemplateCard {
  card_type: 'text_notice' | 'button_interaction' | 'vote_interaction' | 'multiple_interaction';
  task_id: string;
  source?: { desc: string; desc_color?: number };
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  horizontal_content_list?: Array<{ keyname: string; value: string }>;
  button_list?: WecomButton[];
  checkbox?: { question_key: string; mode: 0 | 1; option_list: WecomOption[] };
  select_list?: Array<{ question_key: string; title: string; selected_id?: string; option_list: WecomOption[] }>;
  submit_button?: { text: string; key: string };
  card_action?: { type: 0 | 1 | 2; url?: string };
}

/** aibot_msg_callback / aibot_event_callback body (long connection). */
export interface WecomBotBody {
  msgid: string;
  aibotid?: string;
  chatid?: string;
  chattype?: 'single' | 'group';
  from?: { userid: string; corpid?: string };
  create_time?: number;
  msgtype: string;
  text?: { content: string };
  /** Media: an encrypted download URL (5 minutes) and its key (platforms.md A6). */
  image?: WecomBotMedia;
  file?: WecomBotMedia & { filename?: string };
  mixed?: { msg_item?: Array<{ msgtype: string; text?: { content: string }; image?: WecomBotMedia }> };
  event?: WecomBotEvent;
}

export interface WecomBotMedia {
  url: string;
  aeskey: string;
}

export interface WecomBotCardEvent {
  card_type?: string;
  event_key?: string;
  task_id?: string;
  selected_items?: { selected_item?: Array<{ question_key: string; option_ids?: { option_id?: string[] } }> };
}

export interface WecomBotEvent extends WecomBotCardEvent {
  eventtype: string;
  template_card_event?: WecomBotCardEvent;
}

export interface WecomBotFrame {
  cmd?: string;
  headers: { req_id: string };
  body?: WecomBotBody;
  errcode?: number;
  errmsg?: string;
}
