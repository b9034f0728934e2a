/** Cycles the theme: system, light, dark. */
import { nextTheme, type ThemeChoice } from '../state/theme.js';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';

const ICON: Record<ThemeChoice, string> = { system: '🖥', light: '☀', dark: '☾' };

export function ThemeToggle() {
  const { theme } = useServices();
  const choice = useStore(theme.choice);
  return (
    <button
      type="button"
      class="icon-btn"
      onClick={() => theme.cycle()}
      aria-label={`Theme: ${choice}. Switch to ${nextTheme(choice)}`}
      title={`Theme: ${choice}`}
      data-testid="theme-toggle"
    >
      <span aria-hidden="true">{ICON[choice]}</span>
    </button>
  );
}
