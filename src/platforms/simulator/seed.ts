/** Demo people and chats of the local simulator: every role, Chinese names, two or more departments. */
import type { Role } from '../../services/directory.js';

export interface SimUser {
  id: string;
  name: string;
  roles: Role[];
  department: string;
}

export const SIM_USERS: readonly SimUser[] = [
  { id: 'wangfang', name: '王芳', roles: ['organizer', 'admin'], department: '行政部' },
  { id: 'zhaolei', name: '赵磊', roles: ['organizer'], department: '行政部' },
  { id: 'lizong', name: '李总', roles: ['executive'], department: '总经办' },
  { id: 'chenjing', name: '陈静', roles: ['assistant'], department: '总经办' },
  { id: 'zhangwei', name: '张伟', roles: ['department_head'], department: '行政部' },
  { id: 'liuyang', name: '刘洋', roles: ['department_head'], department: '信息技术部' },
  { id: 'sunli', name: '孙丽', roles: ['department_head'], department: '财务部' },
  { id: 'zhouting', name: '周婷', roles: ['attendee'], department: '信息技术部' },
  { id: 'wujun', name: '吴军', roles: ['attendee'], department: '财务部' },
  { id: 'huangmin', name: '黄敏', roles: ['attendee'], department: '市场部' },
];

export const SIM_DEPARTMENTS = [
  { name: '行政部', head: 'zhangwei' },
  { name: '信息技术部', head: 'liuyang' },
  { name: '财务部', head: 'sunli' },
  { name: '总经办', head: 'lizong' },
  { name: '市场部', head: null },
] as const;

export const SIM_GROUP = { id: 'prep-group', name: '会务筹备群' } as const;

/** Executive ↔ assistant links seeded when the executive has no assistant yet. */
export const SIM_ASSISTANTS = [{ executive: 'lizong', assistant: 'chenjing' }] as const;

/** The one-to-one chat of a user with the bot. */
export function dmConversationId(userId: string): string {
  return `dm-${userId}`;
}
