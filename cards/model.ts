/**
 * The platform-neutral card. Handlers build cards as plain data with pure functions;
 * each platform renders this model (the simulator shows it as is).
 * Action keys are stable string ids routed by name (never closures), so a click still
 * works after a restart or on another instance.
 */
export interface Card {
  /** Our card id; platforms map their own message/task ids to it. */
  id: string;
  title: string;
  /** Plain text body; line breaks are kept. */
  body?: string;
  fields?: CardField[];
  inputs?: CardInput[];
  actions?: CardAction[];
  /** Current state shown on the card after an action, e.g. `已确认 by 张三`. */
  state?: CardState;
  /** Text commands that do the same as the buttons, for clients that cannot click. */
  fallback?: string;
  /**
   * A picture on the card (an admission QR code). The simulator shows it inside the card; WeCom
   * and DingTalk interactive cards cannot hold one, so it follows the card as an image message.
   */
  image?: CardImage;
}

export interface CardImage {
  /** A PNG in the Media table. */
  mediaId: string;
  /** What text-only clients show. */
  alt: string;
}

export interface CardField {
  label: string;
  value: string;
}

export interface CardAction {
  /** Stable action key, e.g. `reminder.ack`. */
  key: string;
  label: string;
  style?: 'primary' | 'danger' | 'default';
}

export interface CardInputOption {
  value: string;
  label: string;
}

export interface CardInput {
  key: string;
  label: string;
  kind: 'select' | 'text' | 'number';
  options?: CardInputOption[];
  value?: string;
  placeholder?: string;
}

export interface CardState {
  /** Machine-readable status, e.g. `acknowledged`, `snoozed`. */
  status: string;
  /** What to show, in Chinese. */
  label: string;
  /** True when no further action is accepted: the buttons are hidden. */
  closed?: boolean;
}
