/** Supplier cards: a scorecard with its parts, in the reader's language. */
import type { Translator } from '../src/i18n/translator.js';
import type { Card } from './model.js';

export interface ScorecardView {
  supplier: string;
  quarter: string;
  score: number;
  grade: string;
  parts: Array<{ key: string; earned: number; weight: number; counted: boolean }>;
}

export function scorecardCard(t: Translator, cardId: string, view: ScorecardView): Card {
  return {
    id: cardId,
    title: t.t('supplier.card.title', { name: view.supplier, quarter: view.quarter }),
    body: t.t('supplier.card.body', { score: view.score, grade: view.grade }),
    fields: view.parts.map((p) => ({
      label: t.t(`supplier.part.${p.key}`),
      value: p.counted ? t.t('supplier.card.part', { earned: p.earned, weight: p.weight }) : t.t('supplier.card.noData', { weight: p.weight }),
    })),
    fallback: t.t('supplier.card.fallback', { name: view.supplier }),
  };
}

/** `餐饮 12/30 · 响应 0/10 · …` in one line, for rankings. */
export function partsLine(t: Translator, parts: ScorecardView['parts']): string {
  return parts
    .map((p) => (p.counted ? t.t('supplier.partShort', { part: t.t(`supplier.part.${p.key}`), earned: p.earned, weight: p.weight }) : t.t('supplier.partNone', { part: t.t(`supplier.part.${p.key}`) })))
    .join(t.t('supplier.separator'));
}
