-- AlterTable
ALTER TABLE "Incident" ADD COLUMN "supplierId" INTEGER;

-- AlterTable
ALTER TABLE "Task" ADD COLUMN "supplierId" INTEGER;

-- CreateTable
CREATE TABLE "Budget" (
    "meetingId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "forecastOff" BOOLEAN NOT NULL DEFAULT false,
    "forecastAlerts" INTEGER NOT NULL DEFAULT 0,
    "actualOff" BOOLEAN NOT NULL DEFAULT false,
    "actualAlerts" INTEGER NOT NULL DEFAULT 0,
    "settledAt" DATETIME,
    "settledBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "BudgetLine" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "no" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "item" TEXT NOT NULL,
    "supplierId" INTEGER,
    "unitPrice" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "link" TEXT,
    "days" INTEGER NOT NULL DEFAULT 1,
    "contractAmount" INTEGER,
    "note" TEXT,
    "reason" TEXT,
    "reasonBy" TEXT,
    "reasonAt" DATETIME,
    "forecastOver" BOOLEAN NOT NULL DEFAULT false,
    "forecastAlerts" INTEGER NOT NULL DEFAULT 0,
    "actualOver" BOOLEAN NOT NULL DEFAULT false,
    "actualAlerts" INTEGER NOT NULL DEFAULT 0,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Expense" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "meetingId" INTEGER NOT NULL,
    "lineId" INTEGER NOT NULL,
    "amount" INTEGER NOT NULL,
    "invoiceNo" TEXT,
    "invoiceType" TEXT,
    "taxRate" INTEGER,
    "supplierId" INTEGER,
    "paidAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ExpenseEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "expenseId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Supplier" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "categories" TEXT NOT NULL DEFAULT '[]',
    "licenceNo" TEXT,
    "qualificationExpiresAt" DATETIME,
    "contractAmount" INTEGER,
    "contractStart" DATETIME,
    "contractEnd" DATETIME,
    "penaltyClause" TEXT,
    "contactName" TEXT,
    "contactPhoneEnc" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SupplierScore" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "supplierId" INTEGER NOT NULL,
    "quarter" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "grade" TEXT NOT NULL,
    "parts" TEXT NOT NULL,
    "lastIn" TEXT NOT NULL DEFAULT '[]',
    "replacementTaskId" INTEGER,
    "computedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SupplierDimension" (
    "meetingId" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "dimension" TEXT NOT NULL,

    PRIMARY KEY ("meetingId", "category")
);

-- CreateIndex
CREATE UNIQUE INDEX "BudgetLine_meetingId_no_key" ON "BudgetLine"("meetingId", "no");

-- CreateIndex
CREATE UNIQUE INDEX "Expense_invoiceNo_key" ON "Expense"("invoiceNo");

-- CreateIndex
CREATE INDEX "Expense_meetingId_idx" ON "Expense"("meetingId");

-- CreateIndex
CREATE INDEX "Expense_lineId_idx" ON "Expense"("lineId");

-- CreateIndex
CREATE INDEX "ExpenseEvent_expenseId_id_idx" ON "ExpenseEvent"("expenseId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Supplier_name_key" ON "Supplier"("name");

-- CreateIndex
CREATE UNIQUE INDEX "SupplierScore_supplierId_quarter_key" ON "SupplierScore"("supplierId", "quarter");
