import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Resolves a SQLite `databaseUrl` to a file path.
 *
 * Accepted forms: `file:./data/huiwu.db` (relative to `root`), `file:data/huiwu.db`,
 * `file:/abs/path.db`, `file:///abs/path.db`, and `:memory:` / `file::memory:` (returned
 * as `:memory:`). A query string (`?connection_limit=1`) is ignored. Other schemes throw.
 */
export function sqliteFilePath(databaseUrl: string, root: string): string {
  const url = databaseUrl.trim();
  if (url === ':memory:' || url === 'file::memory:') return ':memory:';
  if (!url.startsWith('file:')) {
    throw new Error(`Not a SQLite file URL (expected "file:<path>"): ${databaseUrl}`);
  }
  const withoutQuery = url.replace(/[?#].*$/, '');
  let filePath: string;
  if (withoutQuery.startsWith('file://')) {
    filePath = fileURLToPath(withoutQuery);
  } else {
    filePath = withoutQuery.slice('file:'.length);
  }
  if (filePath === '') throw new Error(`Empty SQLite file path in URL: ${databaseUrl}`);
  if (filePath === ':memory:') return ':memory:';
  return path.resolve(root, filePath);
}
