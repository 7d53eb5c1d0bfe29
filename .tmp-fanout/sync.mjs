import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
for (const mode of ['FULL', 'NORMAL']) {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'sq-')), 'x.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${mode}`);
  db.exec('create table t (id integer primary key, v text)');
  const ins = db.prepare('insert into t (v) values (?)');
  const t0 = performance.now();
  for (let i = 0; i < 3000; i++) ins.run('x'.repeat(200));
  console.log(mode, ((performance.now() - t0) / 3000).toFixed(3), 'ms per commit');
}
