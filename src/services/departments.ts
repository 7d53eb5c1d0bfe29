/**
 * Departments (the `Department` table, seeded by the simulator) with their heads, and members (a
 * user's `department`). Managed by organizers and admins with `部门` or the admin API.
 */
import type { PrismaClient } from '../db/client.js';
import { UserError } from '../errors.js';
import type { Directory, Role, UserRecord } from './directory.js';

declare module './services.js' {
  interface Services {
    departments: DepartmentService;
  }
}

export type DepartmentRow = NonNullable<Awaited<ReturnType<PrismaClient['department']['findUnique']>>>;

export class DepartmentService {
  constructor(
    private readonly db: PrismaClient,
    private readonly directory: Directory,
  ) {}

  async list(): Promise<DepartmentRow[]> {
    return this.db.department.findMany({ orderBy: { createdAt: 'asc' } });
  }

  async byName(name: string): Promise<DepartmentRow | null> {
    return this.db.department.findUnique({ where: { name } });
  }

  async require(name: string): Promise<DepartmentRow> {
    const found = await this.byName(name);
    if (!found) throw new UserError('E_DEPT_NOT_FOUND', { name });
    return found;
  }

  async create(name: string, headUserId: string | null): Promise<DepartmentRow> {
    if (!/^\S{1,30}$/.test(name)) throw new UserError('E_DEPT_NAME_INVALID');
    if (await this.byName(name)) throw new UserError('E_DEPT_EXISTS', { name });
    const row = await this.db.department.create({ data: { id: `dept-${name}`, name, headUserId } });
    if (headUserId) await this.setHead(name, headUserId);
    return row;
  }

  /** The head gets the department_head role (and stays in their own department if they have one). */
  async setHead(name: string, userId: string): Promise<DepartmentRow> {
    await this.require(name);
    const row = await this.db.department.update({ where: { name }, data: { headUserId: userId } });
    await this.directory.grantRole(userId, 'department_head', name);
    return row;
  }

  async addMembers(name: string, userIds: readonly string[]): Promise<number> {
    await this.require(name);
    return this.directory.setDepartment(userIds, name);
  }

  /** Members of a department: its users and its head. */
  async members(name: string): Promise<UserRecord[]> {
    const dept = await this.byName(name);
    const rows = await this.db.user.findMany({ where: { department: name }, orderBy: { createdAt: 'asc' }, select: { id: true } });
    const ids = rows.map((r) => r.id);
    if (dept?.headUserId && !ids.includes(dept.headUserId)) ids.unshift(dept.headUserId);
    return this.directory.usersByIds(ids);
  }

  async isMember(name: string, userId: string): Promise<boolean> {
    return (await this.members(name)).some((m) => m.id === userId);
  }

  async headOf(name: string | null): Promise<string | null> {
    return name ? ((await this.byName(name))?.headUserId ?? null) : null;
  }
}
