// 会务助手 local simulator page: plain ES module, no build step, no external resources.
// Talks to the simulator's JSON API (/sim/api/...) and listens to its server-sent events.
// Like DingTalk and WeCom's intelligent bot, a group message reaches the bot only when it @-mentions
// it (or starts with `/`); the page says so and offers an @会务助手 button. Times are shown in the
// bot's zone (HUIWU_TIMEZONE, from /sim/api/bot), so they match the times the bot writes.

const BOT_ID = 'bot';

/** Every word the page shows (the demo page is Chinese): index.html names its keys in data-text* attributes. */
const TEXT = {
  pageTitle: '会务助手 · 本地模拟器',
  brandLogo: '会',
  brandName: '会务助手',
  brandSub: '本地模拟器 · 无需企业微信/钉钉账号',
  botName: '会务助手',
  botAvatar: '助',
  botTag: '机器人',
  connecting: '连接中…',
  connected: '实时连接正常',
  reconnecting: '连接中断，正在重连…',
  closedRetrying: '连接已断开，5 秒后重连…',
  conversationList: '会话列表',
  conversationsToggle: '会话列表',
  conversationsTitle: '会话',
  loading: '加载中…',
  speakerBefore: '以',
  speakerAfter: '身份发言',
  speakerAria: '以…身份发言',
  mentionButton: '提及某人（@姓名）',
  inputPlaceholder: '输入消息，Enter 发送，Shift+Enter 换行',
  inputPlaceholderShort: '输入消息',
  inputAria: '消息',
  send: '发送',
  attachButton: '随这条消息发送文件或图片（如：会议 附件 #1）',
  tryThese: '试试：',
  examples: ['提醒 10秒后 测试', '帮助', '提醒 列表'],
  mentionHint: '提及某人请输入',
  mentionExample: '@赵磊',
  groupToBot: '✓ 这条消息会发给会务助手',
  groupToPeople: '这条是群成员之间的聊天，会务助手收不到',
  groupRule: '群里只有 @会务助手 或以 / 开头的消息才会发给机器人，其余是群成员之间的聊天',
  dmToBot: '私聊中的每条消息都会发给会务助手',
  noMessagesPreview: '暂无消息',
  cardPreview: '[卡片]',
  imagePreview: '[图片]',
  previewFrom: (name) => `${name}：`,
  group: '群聊',
  groupAvatar: '群',
  direct: '私聊',
  groupSub: (count) => `群聊 · ${count} 人`,
  dmTitle: (name) => `${name} 与会务助手的私聊`,
  dmHeader: (name) => `${name} · 与会务助手私聊`,
  dmHeaderSub: (roles, department) => `${roles} · ${department} · 提醒和通知卡片会发到这里`,
  groupHeaderSub: (count, names) => `群聊 · ${count} 位成员 + 会务助手 · ${names}`,
  documentTitle: (name) => `${name} · 会务助手模拟器`,
  userSub: (roles, department) => `${roles} · ${department}`,
  speakerOption: (name, roles, department) => `${name}（${roles} · ${department}）`,
  listJoiner: '、',
  emptyTitle: '还没有消息',
  emptyBody: (command) => `发送「${command}」看看会务助手能做什么`,
  helpCommand: '帮助',
  today: '今天',
  yesterday: '昨天',
  date: (year, month, day) => `${year}年${month}月${day}日`,
  selectPlaceholder: '请选择',
  clicking: (name, label) => `以 ${name} 的身份点击「${label}」…`,
  clickOk: '操作成功',
  clickRefused: '操作未被接受',
  clickFailed: (message) => `出错了：${message}`,
  loadFailed: (message) => `读取消息失败：${message}`,
  sendFailed: (message) => `发送失败：${message}`,
  notMember: (name, place) => `${name} 不是「${place}」的成员，发言会被拒绝`,
  dmOf: (name) => `${name} 的私聊`,
  cannotConnect: '无法连接会务助手',
  startFailed: (message) => `加载失败：${message}。请确认服务已启动（npm start）后刷新页面。`,
  consoleTitle: '会议控制台（网页）',
  consoleHint: '每人一个一次性登录链接，10 分钟内有效（同「控制台」命令）',
  consoleGet: (name) => `${name} 的控制台链接`,
  consoleOpen: (name) => `打开 ${name} 的控制台 ↗`,
  consoleFailed: (message) => `获取链接失败：${message}`,
  roles: {
    organizer: '会务组织者',
    admin: '管理员',
    executive: '高管',
    assistant: '助理',
    department_head: '部门负责人',
    attendee: '参会人',
  },
};

const AVATAR_COLORS = ['#4f7cff', '#14a38b', '#e0882d', '#9b59d0', '#d9534f', '#2d9cdb', '#6d8b2f', '#c2578f', '#3c6e91', '#b7791f'];
/** Below this width the conversation list is a drawer (keep in step with the media query in style.css). */
const NARROW = window.matchMedia('(max-width: 760px)');

const state = {
  bot: { id: BOT_ID, name: TEXT.botName },
  /** The bot's zone (IANA name); undefined until known, then the browser's zone is used. */
  timeZone: undefined,
  /** @type {{id:string,name:string,roles:string[],department:string}[]} */
  users: [],
  /** Console sign-in paths fetched for users (each opens once). */
  consoleLinks: new Map(),
  /** @type {Map<string, {id:string,name:string,roles:string[],department:string}>} */
  userById: new Map(),
  /** @type {{id:string,name:string,type:'group'|'direct',members:string[]}[]} */
  conversations: [],
  currentId: null,
  speakerId: null,
  /** conversation id -> messages last fetched */
  messages: new Map(),
  /** conversation id -> highest message id the user has seen */
  seen: new Map(),
  /** conversation id -> number of unseen messages */
  unread: new Map(),
  /** card id -> {kind:'ok'|'refused'|'error'|'pending', text} */
  cardNotes: new Map(),
  /** `${cardId}\u0000${inputKey}` -> value typed but not yet submitted */
  drafts: new Map(),
};

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const els = {
  conversations: $('conversations'),
  chatName: $('chat-name'),
  chatSub: $('chat-sub'),
  speaker: /** @type {HTMLSelectElement} */ ($('speaker-select')),
  messages: $('messages'),
  input: /** @type {HTMLTextAreaElement} */ ($('message-input')),
  send: /** @type {HTMLButtonElement} */ ($('send-button')),
  error: $('composer-error'),
  mentionButton: $('mention-button'),
  mentionMenu: $('mention-menu'),
  connection: $('connection'),
  hint: $('hint'),
  app: $('app'),
  navToggle: $('nav-toggle'),
  navBadge: $('nav-badge'),
  backdrop: $('nav-backdrop'),
  address: $('address'),
  addressHint: $('address-hint'),
  mentionBot: $('mention-bot'),
  attach: /** @type {HTMLInputElement} */ ($('attach-input')),
};

// ---- small helpers -----------------------------------------------------------

/** Builds an element: h('div', {class: 'x', dataset: {testid: 'y'}}, child, 'text', ...). */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Beside a real platform the simulator's API needs the admin token: asked for once, kept in the
 * `huiwu_token` cookie (sent by fetch and EventSource alike; never in a URL, which would be logged).
 */
function askForToken() {
  const token = window.prompt('管理令牌 / Admin token (HUIWU_ADMIN_TOKEN)');
  if (!token) return false;
  document.cookie = `huiwu_token=${encodeURIComponent(token.trim())}; path=/; SameSite=Strict`;
  return true;
}

async function api(method, path, body, retried = false) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && !retried && askForToken()) return api(method, path, body, true);
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message = data && typeof data.error === 'string' ? data.error : `HTTP ${res.status}`;
    throw Object.assign(new Error(message), { status: res.status });
  }
  return data;
}

// ---- time, in the bot's zone ---------------------------------------------------

let zoneFormat = null;
let zoneFormatFor = null;
/** Calendar parts of an instant in the bot's zone (the browser's zone if that one is unknown here). */
function zoned(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  if (zoneFormatFor !== state.timeZone || !zoneFormat) {
    const options = { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' };
    try {
      zoneFormat = new Intl.DateTimeFormat('en-US', { ...options, timeZone: state.timeZone });
    } catch {
      zoneFormat = new Intl.DateTimeFormat('en-US', options);
    }
    zoneFormatFor = state.timeZone;
  }
  const parts = Object.fromEntries(zoneFormat.formatToParts(d).map((p) => [p.type, p.value]));
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}
function hhmm(iso) {
  const z = zoned(iso);
  return z ? `${z.hour}:${z.minute}` : '';
}
function fullTime(iso) {
  const z = zoned(iso);
  return z ? `${z.year}-${z.month}-${z.day} ${z.hour}:${z.minute}:${z.second}` : '';
}
/** `YYYY-MM-DD` in the bot's zone: messages are grouped by the bot's calendar day. */
function dayOf(iso) {
  const z = zoned(iso);
  return z ? `${z.year}-${z.month}-${z.day}` : '';
}

function rolesText(user) {
  return user.roles.map((r) => TEXT.roles[r] ?? r).join(TEXT.listJoiner);
}

function nameOf(id) {
  if (id === BOT_ID) return state.bot.name;
  return state.userById.get(id)?.name ?? id;
}

function colorOf(id) {
  let sum = 0;
  for (const ch of id) sum = (sum * 31 + ch.codePointAt(0)) >>> 0;
  return AVATAR_COLORS[sum % AVATAR_COLORS.length];
}

function avatar(id, extraClass = '') {
  if (id === BOT_ID) return h('div', { class: `avatar avatar-bot ${extraClass}`, 'aria-hidden': 'true' }, TEXT.botAvatar);
  const name = nameOf(id);
  const short = [...name].length > 2 ? [...name].slice(-2).join('') : name;
  const el = h('div', { class: `avatar ${extraClass}`, 'aria-hidden': 'true' }, short);
  el.style.background = colorOf(id);
  return el;
}

function conversation(id) {
  return state.conversations.find((c) => c.id === id) ?? null;
}

function dmOwner(conv) {
  return conv && conv.type === 'direct' ? conv.members[0] ?? null : null;
}

/** Text with `@姓名` mentions of known users (and of the bot) highlighted. */
function textWithMentions(text) {
  const names = [state.bot.name, ...state.users.map((u) => u.name)].sort((a, b) => b.length - a.length);
  const nodes = [];
  let rest = text;
  while (rest.length > 0) {
    let best = null;
    for (const n of names) {
      const at = rest.indexOf(`@${n}`);
      if (at >= 0 && (best === null || at < best.at)) best = { at, token: `@${n}` };
    }
    if (!best) {
      nodes.push(rest);
      break;
    }
    if (best.at > 0) nodes.push(rest.slice(0, best.at));
    nodes.push(h('span', { class: 'mention' }, best.token));
    rest = rest.slice(best.at + best.token.length);
  }
  return nodes;
}

function preview(message) {
  if (!message) return TEXT.noMessagesPreview;
  const who = message.from === BOT_ID ? '' : TEXT.previewFrom(nameOf(message.from));
  if (message.card) return `${who}${TEXT.cardPreview} ${message.card.title}`;
  if (message.image) return `${who}${TEXT.imagePreview}`;
  return `${who}${(message.text ?? '').replace(/\s+/g, ' ')}`;
}

// ---- errors --------------------------------------------------------------------

let errorTimer = 0;
function showError(text) {
  els.error.textContent = text;
  els.error.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = window.setTimeout(() => (els.error.hidden = true), 8000);
}
function clearError() {
  els.error.hidden = true;
}

// ---- conversation list ---------------------------------------------------------

function renderConversations() {
  const items = state.conversations.map((c) => {
    const unread = state.unread.get(c.id) ?? 0;
    const msgs = state.messages.get(c.id) ?? [];
    const last = msgs[msgs.length - 1];
    const owner = dmOwner(c);
    const user = owner ? state.userById.get(owner) : null;
    const title = user ? user.name : c.name;
    const sub = user ? TEXT.userSub(rolesText(user), user.department) : TEXT.groupSub(c.members.length);
    return h(
      'button',
      {
        type: 'button',
        class: `conversation${c.id === state.currentId ? ' active' : ''}`,
        dataset: { testid: `conversation-${c.id}`, conversation: c.id, type: c.type },
        'aria-current': c.id === state.currentId ? 'true' : null,
        title: user ? TEXT.dmTitle(user.name) : c.name,
        onclick: () => selectConversation(c.id),
      },
      c.type === 'group' ? h('div', { class: 'avatar avatar-group', 'aria-hidden': 'true' }, TEXT.groupAvatar) : avatar(owner ?? c.id),
      h(
        'div',
        { class: 'conversation-body' },
        h(
          'div',
          { class: 'conversation-top' },
          h('span', { class: 'conversation-name' }, title),
          c.type === 'direct' ? h('span', { class: 'tag' }, TEXT.direct) : h('span', { class: 'tag tag-group' }, TEXT.group),
          h('span', { class: 'conversation-time' }, last ? hhmm(last.at) : ''),
        ),
        h('div', { class: 'conversation-sub' }, sub),
        h('div', { class: 'conversation-preview' }, preview(last)),
      ),
      unread > 0 ? h('span', { class: 'badge', dataset: { testid: `unread-${c.id}` } }, unread > 99 ? '99+' : String(unread)) : null,
    );
  });
  els.conversations.replaceChildren(h('div', { class: 'section-title' }, TEXT.conversationsTitle), ...items, ...consoleLinks());
  // On a phone the list is folded away: the toggle shows how many messages wait elsewhere.
  let elsewhere = 0;
  for (const [id, count] of state.unread) if (id !== state.currentId) elsewhere += count;
  els.navBadge.hidden = elsewhere === 0;
  els.navBadge.textContent = elsewhere > 99 ? '99+' : String(elsewhere);
}

// ---- console links: a fresh single-use sign-in link per seeded user ----------------

function consoleLinks() {
  const rows = state.users.map((u) => {
    const link = state.consoleLinks.get(u.id);
    return h(
      'div',
      { class: 'console-link', dataset: { testid: `console-link-${u.id}` } },
      link
        ? h('a', { href: link, target: '_blank', rel: 'noopener', dataset: { testid: `console-open-${u.id}` } }, TEXT.consoleOpen(u.name))
        : h('button', { type: 'button', class: 'console-get', dataset: { testid: `console-get-${u.id}` }, onclick: () => getConsoleLink(u.id) }, TEXT.consoleGet(u.name)),
    );
  });
  return [h('div', { class: 'section-title' }, TEXT.consoleTitle), h('div', { class: 'console-hint' }, TEXT.consoleHint), ...rows];
}

async function getConsoleLink(userId) {
  try {
    const { url } = await api('POST', `/sim/api/users/${encodeURIComponent(userId)}/console-link`);
    // The path only: the console opens on the same address as this page.
    state.consoleLinks.set(userId, new URL(url).pathname);
  } catch (error) {
    showError(TEXT.consoleFailed(error.message));
  }
  renderConversations();
}

// ---- the conversation list as a drawer on narrow screens -------------------------

function setNavOpen(open) {
  const show = open && NARROW.matches;
  els.app.classList.toggle('nav-open', show);
  els.backdrop.hidden = !show;
  els.navToggle.setAttribute('aria-expanded', String(show));
}

// ---- speaker -------------------------------------------------------------------

function renderSpeakerOptions() {
  els.speaker.replaceChildren(
    ...state.users.map((u) => h('option', { value: u.id }, TEXT.speakerOption(u.name, rolesText(u), u.department))),
  );
  if (state.speakerId) els.speaker.value = state.speakerId;
}

function setSpeaker(id) {
  state.speakerId = id;
  els.speaker.value = id;
  renderMessages(true);
  renderMentionMenu();
}

// ---- messages ------------------------------------------------------------------

/** Rendered bubbles of the open conversation: message id -> {key, el}. */
let rendered = new Map();
let renderedFor = null;

function renderHeader() {
  const c = conversation(state.currentId);
  if (!c) return;
  const owner = dmOwner(c);
  const user = owner ? state.userById.get(owner) : null;
  els.chatName.textContent = user ? TEXT.dmHeader(user.name) : c.name;
  els.chatSub.textContent = user
    ? TEXT.dmHeaderSub(rolesText(user), user.department)
    : TEXT.groupHeaderSub(c.members.length, c.members.map(nameOf).join(TEXT.listJoiner));
  document.title = TEXT.documentTitle(user ? user.name : c.name);
  const group = c.type === 'group';
  els.app.dataset.conversationType = c.type;
  els.mentionBot.hidden = !group;
  renderHint(group);
  renderAddress();
}

// ---- who a message goes to -------------------------------------------------------

/** The router's rule, as the simulator applies it: in a group, only an @ of the bot or a leading / reaches it. */
function addressesBot(text) {
  return text.includes(`@${state.bot.name}`) || /^\s*[/／]/.test(text);
}

function renderAddress() {
  const c = conversation(state.currentId);
  if (!c) return;
  const toBot = c.type === 'direct' || addressesBot(els.input.value);
  els.address.dataset.to = toBot ? 'bot' : 'people';
  els.addressHint.textContent = c.type === 'direct' ? TEXT.dmToBot : toBot ? TEXT.groupToBot : TEXT.groupToPeople;
}

/** Puts `@会务助手 ` in front of what is typed (once) and keeps the caret where the user was typing. */
function addressBot() {
  const input = els.input;
  if (!addressesBot(input.value)) {
    const token = `@${state.bot.name} `;
    const rest = input.value.trimStart();
    const caret = token.length + Math.max(0, (input.selectionEnd ?? input.value.length) - (input.value.length - rest.length));
    input.value = token + rest;
    input.setSelectionRange(caret, caret);
  }
  autosize();
  renderAddress();
  input.focus();
}

function renderHint(group) {
  const examples = TEXT.examples.map((text) =>
    h(
      'button',
      {
        type: 'button',
        class: 'example',
        // In a group an example is only a command when it is addressed to the bot.
        onclick: () => {
          els.input.value = group ? `@${state.bot.name} ${text}` : text;
          autosize();
          renderAddress();
          els.input.focus();
        },
      },
      text,
    ),
  );
  els.hint.replaceChildren(
    h('span', { class: 'hint-examples' }, TEXT.tryThese, ...examples),
    h('span', { class: 'hint-mention' }, h('span', { class: 'hint-sep' }, '·'), ` ${TEXT.mentionHint} `, h('code', {}, TEXT.mentionExample)),
  );
}

function isNearBottom() {
  const m = els.messages;
  return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
}

function scrollToBottom() {
  els.messages.scrollTop = els.messages.scrollHeight;
}

/** Re-renders the open conversation, replacing only bubbles whose content changed. */
function renderMessages(force = false) {
  const id = state.currentId;
  const list = state.messages.get(id) ?? [];
  const stick = renderedFor !== id || isNearBottom();
  if (renderedFor !== id || force) {
    rendered = new Map();
    renderedFor = id;
  }
  if (list.length === 0) {
    els.messages.replaceChildren(
      h(
        'div',
        { class: 'empty' },
        h('div', { class: 'empty-title' }, TEXT.emptyTitle),
        h('div', {}, TEXT.emptyBody(conversation(id)?.type === 'group' ? `@${state.bot.name} ${TEXT.helpCommand}` : TEXT.helpCommand)),
      ),
    );
    return;
  }
  const next = new Map();
  const nodes = [];
  let lastDay = '';
  for (const m of list) {
    const day = dayOf(m.at);
    if (day !== lastDay) {
      lastDay = day;
      const dayKey = `day:${day}`;
      const label = dayLabel(m.at);
      const old = rendered.get(dayKey);
      const el = old && old.key === label ? old.el : h('div', { class: 'day-divider' }, h('span', {}, label));
      next.set(dayKey, { key: label, el });
      nodes.push(el);
    }
    const key = JSON.stringify([m, state.speakerId, state.cardNotes.get(m.card?.id ?? '') ?? null]);
    const old = rendered.get(m.id);
    const el = old && old.key === key ? old.el : renderMessage(m);
    next.set(m.id, { key, el });
    nodes.push(el);
  }
  rendered = next;
  // Move or insert only what changed, so an unchanged card keeps its focused input and typed text.
  const box = els.messages;
  nodes.forEach((node, i) => {
    const at = box.children[i];
    if (at !== node) box.insertBefore(node, at ?? null);
  });
  while (box.children.length > nodes.length) box.lastElementChild?.remove();
  if (stick) scrollToBottom();
}

function dayLabel(iso) {
  const day = dayOf(iso);
  if (day === dayOf(new Date().toISOString())) return TEXT.today;
  if (day === dayOf(new Date(Date.now() - 86_400_000).toISOString())) return TEXT.yesterday;
  const [year, month, date] = day.split('-').map(Number);
  return TEXT.date(year, month, date);
}

function renderMessage(m) {
  const mine = m.from === state.speakerId;
  const isBot = m.from === BOT_ID;
  const content = [];
  if (m.image) {
    content.push(h('img', { class: 'bubble-image', src: m.image, alt: m.text ?? '', dataset: { testid: 'message-image' } }));
  } else if (m.text != null && m.text !== '') {
    content.push(h('div', { class: 'bubble', dataset: { testid: 'message-text' } }, ...(isBot ? [m.text] : textWithMentions(m.text))));
  }
  if (m.card) content.push(renderCard(m.card));
  return h(
    'div',
    {
      class: `message${mine ? ' mine' : ''}${isBot ? ' from-bot' : ''}`,
      dataset: { testid: 'message', from: m.from, id: String(m.id) },
    },
    avatar(m.from),
    h(
      'div',
      { class: 'message-main' },
      h(
        'div',
        { class: 'message-meta' },
        h('span', { class: 'sender' }, nameOf(m.from)),
        isBot ? h('span', { class: 'tag tag-bot' }, TEXT.botTag) : null,
        h('time', { class: 'time', datetime: m.at, title: fullTime(m.at) }, hhmm(m.at)),
      ),
      ...content,
    ),
  );
}

// ---- cards ---------------------------------------------------------------------

function draftKey(cardId, inputKey) {
  return `${cardId}\u0000${inputKey}`;
}

function renderCard(card) {
  const closed = Boolean(card.state?.closed);
  const parts = [h('div', { class: 'card-title', dataset: { testid: 'card-title' } }, card.title)];
  if (card.body) parts.push(h('div', { class: 'card-body' }, card.body));
  if (card.image) {
    parts.push(h('img', { class: 'card-image', src: `/sim/media/${encodeURIComponent(card.image.mediaId)}`, alt: card.image.alt, dataset: { testid: 'card-image' } }));
  }
  if (card.fields?.length) {
    parts.push(
      h(
        'table',
        { class: 'card-fields' },
        h('tbody', {}, ...card.fields.map((f) => h('tr', {}, h('th', { scope: 'row' }, f.label), h('td', {}, f.value)))),
      ),
    );
  }
  if (card.inputs?.length && !closed) {
    parts.push(
      h(
        'div',
        { class: 'card-inputs' },
        ...card.inputs.map((input) => {
          const id = `card-${card.id}-input-${input.key}`.replace(/[^A-Za-z0-9_-]/g, '_');
          const stored = state.drafts.get(draftKey(card.id, input.key));
          const value = stored ?? input.value ?? '';
          let control;
          if (input.kind === 'select') {
            control = h(
              'select',
              { id },
              ...(input.value == null && stored == null ? [h('option', { value: '' }, input.placeholder ?? TEXT.selectPlaceholder)] : []),
              ...(input.options ?? []).map((o) => h('option', { value: o.value }, o.label)),
            );
          } else {
            control = h('input', {
              id,
              type: input.kind === 'number' ? 'number' : 'text',
              placeholder: input.placeholder ?? '',
              inputmode: input.kind === 'number' ? 'numeric' : null,
            });
          }
          control.value = value;
          control.dataset.inputKey = input.key;
          control.dataset.testid = `card-input-${input.key}`;
          const remember = () => state.drafts.set(draftKey(card.id, input.key), control.value);
          control.addEventListener('input', remember);
          control.addEventListener('change', remember);
          return h('label', { class: 'card-input', for: id }, h('span', { class: 'card-input-label' }, input.label), control);
        }),
      ),
    );
  }
  if (card.state) {
    parts.push(
      h(
        'div',
        { class: `card-state${closed ? ' closed' : ''}`, dataset: { testid: 'card-state', status: card.state.status } },
        card.state.label,
      ),
    );
  }
  const note = state.cardNotes.get(card.id);
  if (card.actions?.length && !closed) {
    parts.push(
      h(
        'div',
        { class: 'card-actions' },
        ...card.actions.map((a) =>
          h(
            'button',
            {
              type: 'button',
              class: `card-action style-${a.style ?? 'default'}`,
              dataset: { testid: `card-action-${a.key}`, action: a.key },
              disabled: note?.kind === 'pending',
              onclick: (event) => clickCard(card, a, /** @type {HTMLElement} */ (event.currentTarget)),
            },
            a.label,
          ),
        ),
      ),
    );
  }
  if (note) parts.push(h('div', { class: `card-note note-${note.kind}`, dataset: { testid: 'card-note' }, role: 'status' }, note.text));
  if (card.fallback) parts.push(h('div', { class: 'card-fallback' }, card.fallback));
  return h('div', { class: `card${closed ? ' is-closed' : ''}`, dataset: { testid: 'card', cardId: card.id } }, ...parts);
}

const noteTimers = new Map();
function setCardNote(cardId, note, clearAfterMs = 0) {
  clearTimeout(noteTimers.get(cardId));
  if (note) state.cardNotes.set(cardId, note);
  else state.cardNotes.delete(cardId);
  renderMessages();
  if (clearAfterMs > 0) noteTimers.set(cardId, window.setTimeout(() => setCardNote(cardId, null), clearAfterMs));
}

async function clickCard(card, action, button) {
  const values = {};
  const cardEl = button.closest('[data-testid=card]');
  for (const control of cardEl?.querySelectorAll('[data-input-key]') ?? []) {
    values[control.dataset.inputKey] = control.value;
  }
  const from = state.speakerId;
  setCardNote(card.id, { kind: 'pending', text: TEXT.clicking(nameOf(from), action.label) });
  try {
    const result = await api('POST', '/sim/api/card-actions', {
      cardId: card.id,
      from,
      action: action.key,
      ...(Object.keys(values).length ? { values } : {}),
    });
    if (result?.accepted) {
      for (const input of card.inputs ?? []) state.drafts.delete(draftKey(card.id, input.key));
      setCardNote(card.id, { kind: 'ok', text: `✓ ${result.message ?? TEXT.clickOk}` }, 6000);
    } else {
      setCardNote(card.id, { kind: 'refused', text: `✗ ${result?.reason ?? TEXT.clickRefused}` }, 10000);
    }
  } catch (error) {
    setCardNote(card.id, { kind: 'error', text: TEXT.clickFailed(error.message) }, 10000);
  }
  void refresh(state.currentId);
}

// ---- loading -------------------------------------------------------------------

/** Per conversation: one fetch at a time; a change during a fetch schedules one more. */
const loading = new Map();

async function refresh(id) {
  if (!id) return;
  const entry = loading.get(id);
  if (entry) {
    entry.again = true;
    return entry.promise;
  }
  const record = { again: false, promise: null };
  loading.set(id, record);
  record.promise = (async () => {
    try {
      do {
        record.again = false;
        const list = await api('GET', `/sim/api/conversations/${encodeURIComponent(id)}/messages?after=0`);
        applyMessages(id, list);
      } while (record.again);
    } catch (error) {
      if (id === state.currentId) showError(TEXT.loadFailed(error.message));
    } finally {
      loading.delete(id);
    }
  })();
  return record.promise;
}

function applyMessages(id, list) {
  state.messages.set(id, list);
  const maxId = list.reduce((max, m) => Math.max(max, m.id), 0);
  if (id === state.currentId) {
    state.seen.set(id, maxId);
    state.unread.set(id, 0);
    renderMessages();
  } else if (state.seen.has(id)) {
    const seen = state.seen.get(id);
    state.unread.set(id, list.filter((m) => m.id > seen).length);
  } else {
    state.seen.set(id, maxId);
  }
  renderConversations();
}

function selectConversation(id) {
  const c = conversation(id);
  if (!c) return;
  state.currentId = id;
  state.unread.set(id, 0);
  const owner = dmOwner(c);
  if (owner && owner !== state.speakerId) {
    state.speakerId = owner;
    els.speaker.value = owner;
  }
  if (location.hash.slice(1) !== id) history.replaceState(null, '', `#${id}`);
  clearError();
  closeMentionMenu();
  renderHeader();
  renderConversations();
  renderMentionMenu();
  renderMessages(true);
  setNavOpen(false);
  void refresh(id);
  // On a phone, focusing would pop up the keyboard over the chat just opened.
  if (!NARROW.matches) els.input.focus();
}

// ---- sending -------------------------------------------------------------------

let sending = false;
async function send() {
  const text = els.input.value;
  if (sending || text.trim() === '' || !state.currentId) return;
  sending = true;
  els.send.disabled = true;
  clearError();
  try {
    await api('POST', '/sim/api/messages', { conversation: state.currentId, from: state.speakerId, text });
    els.input.value = '';
    autosize();
    renderAddress();
    void refresh(state.currentId);
  } catch (error) {
    showError(TEXT.sendFailed(error.message));
  } finally {
    sending = false;
    els.send.disabled = false;
    els.input.focus();
  }
}

/** 📎: the chosen file goes with the typed text (e.g. 会议 附件 #1) through the upload API. */
async function sendFile() {
  const file = els.attach.files?.[0];
  els.attach.value = '';
  const text = els.input.value;
  if (!file || sending || text.trim() === '' || !state.currentId) return;
  sending = true;
  clearError();
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const data = btoa(binary);
    await api('POST', '/sim/api/uploads', { conversation: state.currentId, from: state.speakerId, text, name: file.name, mime: file.type || 'application/octet-stream', data });
    els.input.value = '';
    autosize();
    renderAddress();
    void refresh(state.currentId);
  } catch (error) {
    showError(TEXT.sendFailed(error.message));
  } finally {
    sending = false;
  }
}

function autosize() {
  els.input.style.height = 'auto';
  els.input.style.height = `${Math.min(els.input.scrollHeight, 160)}px`;
}

// ---- @ mentions ----------------------------------------------------------------

function renderMentionMenu() {
  const c = conversation(state.currentId);
  const ids = c ? c.members : state.users.map((u) => u.id);
  const bot =
    c?.type === 'group'
      ? h(
          'li',
          {},
          h(
            'button',
            { type: 'button', role: 'option', dataset: { testid: 'mention-bot-option' }, onclick: () => insertMention(state.bot.name) },
            avatar(BOT_ID, 'avatar-small'),
            h('span', { class: 'mention-name' }, state.bot.name),
            h('span', { class: 'mention-sub' }, TEXT.botTag),
          ),
        )
      : null;
  els.mentionMenu.replaceChildren(
    ...(bot ? [bot] : []),
    ...ids
      .map((id) => state.userById.get(id))
      .filter(Boolean)
      .map((u) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', role: 'option', dataset: { testid: `mention-${u.id}` }, onclick: () => insertMention(u.name) },
            avatar(u.id, 'avatar-small'),
            h('span', { class: 'mention-name' }, u.name),
            h('span', { class: 'mention-sub' }, TEXT.userSub(rolesText(u), u.department)),
          ),
        ),
      ),
  );
}

function insertMention(name) {
  const input = els.input;
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  let before = input.value.slice(0, start);
  // Typing "@" and then picking a name replaces that "@".
  if (before.endsWith('@')) before = before.slice(0, -1);
  const needsSpace = before.length > 0 && !/\s$/.test(before);
  const token = `${needsSpace ? ' ' : ''}@${name} `;
  input.value = before + token + input.value.slice(end);
  const caret = before.length + token.length;
  input.setSelectionRange(caret, caret);
  closeMentionMenu();
  autosize();
  renderAddress();
  input.focus();
}

function openMentionMenu() {
  els.mentionMenu.hidden = false;
  els.mentionButton.setAttribute('aria-expanded', 'true');
}
function closeMentionMenu() {
  els.mentionMenu.hidden = true;
  els.mentionButton.setAttribute('aria-expanded', 'false');
}

// ---- live updates --------------------------------------------------------------

function setConnection(kind, text) {
  els.connection.dataset.state = kind;
  els.connection.querySelector('.connection-text').textContent = text;
}

function connectEvents() {
  const source = new EventSource('/sim/api/events');
  let dropped = false;
  source.addEventListener('open', () => {
    setConnection('open', TEXT.connected);
    if (dropped) {
      // Whatever changed while we were away: fetch every conversation again.
      dropped = false;
      for (const c of state.conversations) void refresh(c.id);
    }
  });
  source.addEventListener('change', (event) => {
    let id;
    try {
      id = JSON.parse(event.data).conversation;
    } catch {
      return;
    }
    if (typeof id === 'string' && conversation(id)) void refresh(id);
  });
  source.addEventListener('error', () => {
    dropped = true;
    // EventSource reconnects by itself unless the server refused it (readyState CLOSED).
    if (source.readyState === EventSource.CLOSED) {
      setConnection('closed', TEXT.closedRetrying);
      source.close();
      window.setTimeout(connectEvents, 5000);
    } else {
      setConnection('connecting', TEXT.reconnecting);
    }
  });
}

// ---- start ---------------------------------------------------------------------

/** Fills the static page (index.html) with its words from TEXT. */
function applyText() {
  document.title = TEXT.pageTitle;
  for (const el of document.querySelectorAll('[data-text]')) el.textContent = TEXT[el.dataset.text];
  for (const el of document.querySelectorAll('[data-text-title]')) el.setAttribute('title', TEXT[el.dataset.textTitle]);
  for (const el of document.querySelectorAll('[data-text-aria-label]')) el.setAttribute('aria-label', TEXT[el.dataset.textAriaLabel]);
  els.mentionBot.textContent = `@${state.bot.name}`;
  els.address.title = TEXT.groupRule;
  applyPlaceholder();
  renderHint(false);
}

/** The long placeholder wraps to two lines on a phone. */
function applyPlaceholder() {
  els.input.placeholder = NARROW.matches ? TEXT.inputPlaceholderShort : TEXT.inputPlaceholder;
}

function wire() {
  els.send.addEventListener('click', () => void send());
  els.input.addEventListener('keydown', (event) => {
    // Enter while an IME is composing Chinese text confirms the candidate; it must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape') {
      closeMentionMenu();
    }
  });
  els.input.addEventListener('input', () => {
    autosize();
    renderAddress();
    const before = els.input.value.slice(0, els.input.selectionStart ?? 0);
    if (before.endsWith('@')) openMentionMenu();
    else if (!els.mentionMenu.hidden && !/@\S*$/.test(before)) closeMentionMenu();
  });
  els.speaker.addEventListener('change', () => {
    const c = conversation(state.currentId);
    const id = els.speaker.value;
    setSpeaker(id);
    if (c && !c.members.includes(id)) {
      showError(TEXT.notMember(nameOf(id), c.type === 'direct' ? TEXT.dmOf(nameOf(c.members[0])) : c.name));
    } else {
      clearError();
    }
  });
  els.mentionButton.addEventListener('click', (event) => {
    event.stopPropagation();
    if (els.mentionMenu.hidden) openMentionMenu();
    else closeMentionMenu();
  });
  document.addEventListener('click', (event) => {
    if (!els.mentionMenu.hidden && !(event.target instanceof Node && els.mentionMenu.contains(event.target))) closeMentionMenu();
  });
  els.mentionBot.addEventListener('click', addressBot);
  els.attach.addEventListener('change', () => void sendFile());
  els.navToggle.addEventListener('click', () => setNavOpen(!els.app.classList.contains('nav-open')));
  els.backdrop.addEventListener('click', () => setNavOpen(false));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') setNavOpen(false);
  });
  NARROW.addEventListener('change', () => {
    setNavOpen(false);
    applyPlaceholder();
  });
  window.addEventListener('hashchange', () => {
    const id = location.hash.slice(1);
    if (id && id !== state.currentId && conversation(id)) selectConversation(id);
  });
}

async function start() {
  applyText();
  wire();
  try {
    const [users, conversations, bot] = await Promise.all([
      api('GET', '/sim/api/users'),
      api('GET', '/sim/api/conversations'),
      api('GET', '/sim/api/bot').catch(() => null),
    ]);
    if (bot?.name) state.bot = { id: bot.id ?? BOT_ID, name: bot.name };
    if (typeof bot?.timeZone === 'string') state.timeZone = bot.timeZone;
    els.mentionBot.textContent = `@${state.bot.name}`;
    state.users = users;
    state.userById = new Map(users.map((u) => [u.id, u]));
    const order = new Map(users.map((u, i) => [u.id, i]));
    state.conversations = [...conversations].sort((a, b) => {
      if (a.type !== b.type) return a.type === 'group' ? -1 : 1;
      if (a.type === 'direct') return (order.get(a.members[0]) ?? 1e9) - (order.get(b.members[0]) ?? 1e9);
      return a.name.localeCompare(b.name, 'zh-CN');
    });
    state.speakerId = (users.find((u) => u.roles.includes('organizer')) ?? users[0])?.id ?? null;
    renderSpeakerOptions();
    connectEvents();
    const wanted = location.hash.slice(1);
    const first = conversation(wanted) ? wanted : state.conversations[0]?.id;
    // Every conversation once, for previews and unread counts; the open one first.
    if (first) selectConversation(first);
    await Promise.all(state.conversations.filter((c) => c.id !== first).map((c) => refresh(c.id)));
  } catch (error) {
    els.chatName.textContent = TEXT.cannotConnect;
    showError(TEXT.startFailed(error.message));
  }
}

void start();
