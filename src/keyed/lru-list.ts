/** A node of an {@link LruList}: an entry and its links. */
export interface LruNode {
  prev: LruNode | undefined;
  next: LruNode | undefined;
}

/**
 * An intrusive doubly linked list in order of last use: the least recently used node first.
 * Every operation is O(1) and allocates nothing.
 */
export class LruList<N extends LruNode> {
  #head: N | undefined;
  #tail: N | undefined;

  /** The least recently used node. */
  get first(): N | undefined {
    return this.#head;
  }

  /** Adds `node` as the most recently used. */
  push(node: N): void {
    node.prev = this.#tail;
    node.next = undefined;
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
  }

  /** Takes `node` out of the list. */
  remove(node: N): void {
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next as N | undefined;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev as N | undefined;
    node.prev = undefined;
    node.next = undefined;
  }

  /** Makes `node` the most recently used. */
  touch(node: N): void {
    if (this.#tail === node) return;
    this.remove(node);
    this.push(node);
  }
}
