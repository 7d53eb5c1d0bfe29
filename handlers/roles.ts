/**
 * 角色 / role: who may organize, who counts as an executive or an assistant, who administers.
 * On WeCom and DingTalk people arrive with no role; administrators (HUIWU_ADMINS to start with)
 * grant them here. Department heads are set with 部门 负责人.
 */
import type { Capability } from '../src/capability.js';
import { words } from '../src/i18n/vocabulary.js';
import { type CommandContext, type CommandSpec, UsageError, UserError, msg } from '../src/router/types.js';
import type { Role } from '../src/services/directory.js';
import { matchSub } from './args.js';

const SUB = { list: words('role.words.list'), grant: words('role.words.grant'), revoke: words('role.words.revoke') };
/** Roles granted here, with the words people type for them. */
const GRANTABLE = ['organizer', 'executive', 'assistant', 'admin'] as const satisfies readonly Role[];
type Grantable = (typeof GRANTABLE)[number];

function roleOf(word: string): Grantable | null {
  const lower = word.toLowerCase();
  return GRANTABLE.find((r) => words(`role.words.${r}`).some((w) => w.toLowerCase() === lower)) ?? null;
}

function requireAdmin(ctx: CommandContext): void {
  if (!ctx.user.roles.includes('admin')) throw new UserError('E_ROLE_ADMIN_ONLY');
}

/** `授予 @某人 组织者`: the role word is whatever is left once the mentions are taken out. */
function parseChange(ctx: CommandContext, rest: string): Grantable {
  const word = rest.trim();
  if (ctx.mentions.length === 0 || !word) throw new UsageError('E_ROLE_USAGE');
  const role = roleOf(word);
  if (!role) throw new UsageError('E_ROLE_UNKNOWN', { word });
  return role;
}

export const roleCommand: CommandSpec = {
  id: 'role',
  async handle(ctx) {
    const { t } = ctx;
    const { directory } = ctx.services;
    const { sub, rest } = matchSub(ctx.args, SUB);
    switch (sub) {
      case 'grant': {
        requireAdmin(ctx);
        const role = parseChange(ctx, rest);
        const granted: string[] = [];
        for (const person of ctx.mentions) if (await directory.grantRole(person.id, role)) granted.push(person.name);
        const already = ctx.mentions.filter((p) => !granted.includes(p.name)).map((p) => p.name);
        return [
          ...(granted.length ? [t.t('role.granted', { names: t.list(granted), role: msg(`role.names.${role}`) })] : []),
          ...(already.length ? [t.t('role.alreadyHeld', { names: t.list(already), role: msg(`role.names.${role}`) })] : []),
        ].join('\n');
      }
      case 'revoke': {
        requireAdmin(ctx);
        const role = parseChange(ctx, rest);
        if (role === 'admin' && ctx.mentions.some((p) => p.id === ctx.user.id)) throw new UserError('E_ROLE_SELF_ADMIN');
        const configured = role === 'admin' ? ctx.mentions.filter((p) => directory.isConfiguredAdmin(p.id)) : [];
        if (configured.length > 0) throw new UserError('E_ROLE_CONFIGURED_ADMIN', { names: t.list(configured.map((p) => p.name)) });
        const revoked: string[] = [];
        for (const person of ctx.mentions) if (await directory.revokeRole(person.id, role)) revoked.push(person.name);
        const notHeld = ctx.mentions.filter((p) => !revoked.includes(p.name)).map((p) => p.name);
        return [
          ...(revoked.length ? [t.t('role.revoked', { names: t.list(revoked), role: msg(`role.names.${role}`) })] : []),
          ...(notHeld.length ? [t.t('role.notHeld', { names: t.list(notHeld), role: msg(`role.names.${role}`) })] : []),
        ].join('\n');
      }
      case 'list':
      case null: {
        if (sub === null && ctx.args) throw new UsageError('E_ROLE_USAGE');
        const lines = await Promise.all(
          GRANTABLE.map(async (role) => {
            const names = (await directory.usersWithRole(ctx.user.platform, role)).map((p) => p.name);
            return t.t('role.line', { role: msg(`role.names.${role}`), names: names.length ? t.list(names) : t.t('common.none') });
          }),
        );
        return t.t('role.list', { lines: lines.join('\n') });
      }
    }
  },
};

/** People's roles (administrators change them). */
export const roles: Capability = { name: 'roles', commands: [roleCommand] };
