/** Row and result types of the budget, in a leaf module so its parts (budget.ts, budget-checks.ts) share them without a cycle. */
import type { PrismaClient } from '../db/client.js';
import type { Msg } from '../i18n/translator.js';
import type { Category, CostDeviation, LineFigures, Link } from './budget-math.js';
import type { MeetingRow } from './meetings.js';

export type BudgetLineRow = NonNullable<Awaited<ReturnType<PrismaClient['budgetLine']['findUnique']>>>;
export type ExpenseRow = NonNullable<Awaited<ReturnType<PrismaClient['expense']['findUnique']>>>;

export interface NewLine {
  category: Category;
  item: string;
  supplier: string | null;
  unitPrice: number;
  /** Null for a linked line: the live count now is the planned count. */
  quantity: number | null;
  link: Link | null;
  days: number;
  contractAmount: number | null;
  note: string | null;
}

export interface NewExpense {
  line: BudgetLineRow;
  amount: number;
  invoiceNo: string | null;
  invoiceType: string | null;
  taxRate: number | null;
  supplier: string | null;
}

export interface Ledger {
  meeting: MeetingRow;
  lines: LineFigures[];
  cost: CostDeviation;
  rows: BudgetLineRow[];
}

/** What blocks settlement, as data (`kind`) and as a message the reader's translator renders. */
export interface SettlementBlocker {
  kind: 'no-budget' | 'no-expense' | 'no-invoice' | 'invoice-mismatch' | 'tax-missing' | 'unpaid' | 'unexplained';
  lineNo: number | null;
  expenseId: number | null;
  text: Msg;
}
