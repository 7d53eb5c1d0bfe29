/**
 * The shell of Huiwu's server-rendered pages (console, scanner, sign-in refusals): escaped text,
 * a phone-width layout that works in the platforms' in-app browsers, no external resources.
 */
import type { Translator } from '../i18n/translator.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value made safe for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export interface PageParts {
  title: string;
  /** Trusted HTML: build it with escapeHtml. */
  body: string;
  /** Extra trusted head elements (styles, scripts of our own). */
  head?: string;
  /** The session's CSRF token, for pages that write. */
  csrf?: string;
}

const BASE_STYLE = `
  :root { color-scheme: light; --ok: #1a7f37; --warn: #b26b00; --bad: #c62828; --muted: #5f6368; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; background: #f5f6f8; color: #202124; }
  main { max-width: 1100px; margin: 0 auto; padding: 12px; }
  h1 { font-size: 20px; margin: 8px 0 12px; }
  .notice { background: #fff; border-radius: 8px; padding: 20px; margin-top: 24px; }
  .notice p { margin: 0 0 8px; }
`;

export function renderPage(t: Translator, parts: PageParts): string {
  return `<!doctype html>
<html lang="${escapeHtml(t.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${parts.csrf ? `<meta name="csrf-token" content="${escapeHtml(parts.csrf)}">` : ''}
<title>${escapeHtml(parts.title)}</title>
<style>${BASE_STYLE}</style>
${parts.head ?? ''}
</head>
<body><main>${parts.body}</main></body>
</html>`;
}

/** A page that only says something (a refusal, signed out). */
export function noticePage(t: Translator, title: string, lines: readonly string[]): string {
  return renderPage(t, { title, body: `<div class="notice"><h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</div>` });
}
