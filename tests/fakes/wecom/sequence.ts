/** One counter shared by the WeCom fakes, so messages seen through the API and the bot interleave in order. */
export class Sequence {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}
