/**
 * The neutral card -> WeCom template_card (`button_interaction`, `vote_interaction`,
 * `multiple_interaction`) within WeCom's field limits, plus the markdown form used where a
 * template card cannot go (app group chats, a closed card re-sent). Texts are cut with `…`;
 * action keys, question keys and option ids are never cut (a cut key would route nowhere).
 * Field rules: https://developer.work.weixin.qq.com/document/path/90236#模板卡片消息
 */
import type { WecomButton, WecomTemplateCard } from './raw-types.js';
import type { Card, CardInput } from '../../../cards/model.js';
import { words } from '../../i18n/vocabulary.js';

/** WeCom's display limits, in characters (keys in bytes). */
export const WECOM_LIMITS = {
  title: 36,
  titleDesc: 44,
  subTitle: 112,
  fields: 6,
  fieldKey: 5,
  fieldValue: 26,
  buttons: 6,
  buttonText: 10,
  keyBytes: 1024,
  voteOptions: 20,
  selectLists: 3,
  selectOptions: 10,
  optionText: 16,
  markdownBytes: 2048,
} as const;

/** Cuts to `max` characters (code points, so no emoji is split), ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

const STYLE = { primary: 1, default: 2, danger: 3 } as const;

function checkKey(key: string): string {
  if (Buffer.byteLength(key) > WECOM_LIMITS.keyBytes) throw new Error(`card key longer than ${WECOM_LIMITS.keyBytes} bytes: ${key.slice(0, 40)}…`);
  return key;
}

/** Body and the text-command fallback share sub_title_text; the fallback is kept whole when it fits. */
function subTitle(card: Card): string | undefined {
  const fallback = card.fallback ? truncate(card.fallback, WECOM_LIMITS.subTitle) : '';
  const room = WECOM_LIMITS.subTitle - [...fallback].length - (fallback ? 1 : 0);
  const body = card.body && room > 0 ? truncate(card.body, room) : '';
  const text = [body, fallback].filter(Boolean).join('\n');
  return text || undefined;
}

const selectInputs = (card: Card): CardInput[] => (card.inputs ?? []).filter((i) => i.kind === 'select' && (i.options?.length ?? 0) > 0);

/** The interactive card. A closed card keeps its content and loses its buttons (see `closedButtonText`). */
export function renderTemplateCard(card: Card, taskId: string): WecomTemplateCard {
  const base: WecomTemplateCard = {
    card_type: 'button_interaction',
    task_id: taskId,
    source: { desc: words('common.botNames')[0]! },
    main_title: {
      title: truncate(card.title, WECOM_LIMITS.title),
      ...(card.state ? { desc: truncate(card.state.label, WECOM_LIMITS.titleDesc) } : {}),
    },
  };
  const sub = subTitle(card);
  if (sub) base.sub_title_text = sub;
  if (card.fields?.length) {
    base.horizontal_content_list = card.fields.slice(0, WECOM_LIMITS.fields).map((f) => ({
      keyname: truncate(f.label, WECOM_LIMITS.fieldKey),
      value: truncate(f.value, WECOM_LIMITS.fieldValue),
    }));
  }
  const actions = card.state?.closed ? [] : (card.actions ?? []);
  const selects = selectInputs(card);
  const submit = actions[0];
  if (submit && selects.length === 1 && selects[0]!.options!.length <= WECOM_LIMITS.voteOptions) {
    const input = selects[0]!;
    return {
      ...base,
      card_type: 'vote_interaction',
      checkbox: {
        question_key: checkKey(input.key),
        mode: 0,
        option_list: input.options!.map((o) => ({ id: checkKey(o.value), text: truncate(o.label, WECOM_LIMITS.optionText), ...(o.value === input.value ? { is_checked: true } : {}) })),
      },
      submit_button: { text: truncate(submit.label, WECOM_LIMITS.buttonText), key: checkKey(submit.key) },
    };
  }
  if (submit && selects.length > 1) {
    return {
      ...base,
      card_type: 'multiple_interaction',
      select_list: selects.slice(0, WECOM_LIMITS.selectLists).map((input) => ({
        question_key: checkKey(input.key),
        title: truncate(input.label, WECOM_LIMITS.fieldValue),
        ...(input.value ? { selected_id: input.value } : {}),
        option_list: input.options!.slice(0, WECOM_LIMITS.selectOptions).map((o) => ({ id: checkKey(o.value), text: truncate(o.label, WECOM_LIMITS.optionText) })),
      })),
      submit_button: { text: truncate(submit.label, WECOM_LIMITS.buttonText), key: checkKey(submit.key) },
    };
  }
  const buttons: WecomButton[] = actions.slice(0, WECOM_LIMITS.buttons).map((a) => ({
    text: truncate(a.label, WECOM_LIMITS.buttonText),
    style: STYLE[a.style ?? 'default'],
    key: checkKey(a.key),
  }));
  return { ...base, button_list: buttons };
}

/** What a closed card's clicked button turns into (update_template_card `button.replace_name`). */
export function closedButtonText(card: Card): string {
  // Closed cards always carry a state label in the reader's language; the tick is a last resort.
  return truncate(card.state?.label ?? '✓', WECOM_LIMITS.buttonText * 2);
}

/** Markdown form of a card (WeCom markdown subset), for places without template cards. */
export function renderCardMarkdown(card: Card): string {
  const lines = [`**${card.title}**`];
  if (card.state) lines.push(`<font color="info">${card.state.label}</font>`);
  if (card.body) lines.push(card.body);
  for (const f of card.fields ?? []) lines.push(`> ${f.label}：${f.value}`);
  if (!card.state?.closed && card.fallback) lines.push(`<font color="comment">${card.fallback}</font>`);
  return truncateBytes(lines.join('\n'), WECOM_LIMITS.markdownBytes);
}

/** Cuts UTF-8 text to `max` bytes on a character boundary. */
export function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch + '…') > max) break;
    out += ch;
  }
  return `${out}…`;
}
