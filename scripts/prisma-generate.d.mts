// Types of scripts/prisma-generate.mjs for TypeScript callers (tests, db:new-migration).
export declare const CLIENTS: ReadonlyArray<{ schema: string; output: string }>;
export declare function derivePostgresSchema(sqliteSchema: string): string;
export declare function generatePrismaClient(opts: { root: string; force?: boolean; quiet?: boolean }): Promise<{ generated: boolean; hash: string; outputDir: string }>;
