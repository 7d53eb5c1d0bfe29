/**
 * The neutral card -> DingTalk interactive card data (`cardParamMap`, every value a string) for
 * the template in `src/platforms/dingtalk/card-template.json`, plus the markdown form used where an
 * interactive card cannot go (session webhooks, an app without card permission). Both carry the
 * card's text-command fallback, so every button can also be done by typing.
 * https://open.dingtalk.com/document/orgapp/create-and-deliver-cards
 */
import type { CardParamMap } from './raw-types.js';
import type { Card } from '../../../cards/model.js';

/** Variable names of the card template; the template JSON binds exactly these. */
export const DINGTALK_CARD_VARS = {
  title: 'title',
  /** Markdown: the body text. */
  body: 'body',
  /** Object array `[{label, value}]` shown as rows. */
  fields: 'fields',
  /** The card's state after an action (`已知晓：王芳`); empty when none. */
  status: 'status',
  /** `"true"` once no action is accepted. */
  closed: 'closed',
  /** Object array `[{key, label, status}]`: one callback button each; empty when closed. */
  actions: 'actions',
  /** `"true"` when the button row is shown. */
  hasActions: 'hasActions',
  /** The text commands that do the same as the buttons. */
  fallback: 'fallback',
  /** Private to the clicker: why a click was refused, or what it did. */
  notice: 'notice',
} as const;

/** The callback parameter every button sends: the action key. */
export const DINGTALK_ACTION_PARAM = 'action';

const BUTTON_STATUS = { primary: 'primary', danger: 'warning', default: 'normal' } as const;

/** Public card data for createAndDeliver, PUT card/instances and the callback ACK. */
export function renderDingTalkCard(card: Card): CardParamMap {
  const closed = card.state?.closed === true;
  const actions = closed ? [] : (card.actions ?? []).map((a) => ({ key: a.key, label: a.label, status: BUTTON_STATUS[a.style ?? 'default'] }));
  const v = DINGTALK_CARD_VARS;
  return {
    [v.title]: card.title,
    [v.body]: card.body ?? '',
    [v.fields]: JSON.stringify((card.fields ?? []).map((f) => ({ label: f.label, value: f.value }))),
    [v.status]: card.state?.label ?? '',
    [v.closed]: String(closed),
    [v.actions]: JSON.stringify(actions),
    [v.hasActions]: String(actions.length > 0),
    [v.fallback]: closed ? '' : card.fallback ?? '',
  };
}

/** The clicker's private data: a short notice (empty clears it). */
export function renderDingTalkNotice(notice: string): CardParamMap {
  return { [DINGTALK_CARD_VARS.notice]: notice };
}

/** The card as markdown (title + text), for places an interactive card cannot go. */
export function renderDingTalkMarkdown(card: Card, maxChars = 5000): { title: string; text: string } {
  const lines = [`#### ${card.title}`];
  if (card.body) lines.push('', card.body);
  for (const f of card.fields ?? []) lines.push('', `**${f.label}**：${f.value}`);
  for (const input of card.inputs ?? []) {
    const options = input.options?.map((o) => `${o.value}=${o.label}`).join('，');
    lines.push('', `**${input.label}**${options ? `（${options}）` : ''}`);
  }
  if (card.state) lines.push('', `> ${card.state.label}`);
  if (!card.state?.closed && card.fallback) lines.push('', card.fallback);
  const text = lines.join('\n');
  const chars = [...text];
  return { title: [...card.title].slice(0, 60).join(''), text: chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…` };
}
