/** Something a meeting still has open at its close-out, with the command that closes it, both worded for the reader. */
export interface OpenItem {
  /** One line naming the item (`#12 布置主会场 · 张伟 · 未完成`). */
  text: string;
  /** The command that closes it (`任务 完成 #12`). */
  command: string;
}
