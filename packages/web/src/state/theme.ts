/**
 * Light/dark theme. 'system' follows prefers-color-scheme (pure CSS); the
 * toggle pins light or dark by setting data-theme on <html>. The choice is
 * remembered per browser in localStorage.
 */
import type { KeyValueStorage } from '@xinbox/sdk';
import { Store } from './store.js';

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'xinbox.theme';
const ORDER: readonly ThemeChoice[] = ['system', 'light', 'dark'];

export class ThemeController {
  readonly choice: Store<ThemeChoice>;

  constructor(
    private readonly root: HTMLElement,
    private readonly storage: KeyValueStorage,
  ) {
    const saved = storage.getItem(KEY);
    this.choice = new Store<ThemeChoice>(ORDER.includes(saved as ThemeChoice) ? (saved as ThemeChoice) : 'system');
    this.apply(this.choice.value);
  }

  set(choice: ThemeChoice): void {
    this.choice.set(choice);
    this.storage.setItem(KEY, choice);
    this.apply(choice);
  }

  /** system -> light -> dark -> system */
  cycle(): void {
    this.set(nextTheme(this.choice.value));
  }

  private apply(choice: ThemeChoice): void {
    if (choice === 'system') delete this.root.dataset.theme;
    else this.root.dataset.theme = choice;
  }
}

export function nextTheme(c: ThemeChoice): ThemeChoice {
  return ORDER[(ORDER.indexOf(c) + 1) % ORDER.length]!;
}
