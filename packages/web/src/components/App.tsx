/** Top level: the login screen, or the messenger once logged in. */
import { useStore } from '../state/store.js';
import { Announcer } from './Announcer.js';
import { useServices } from './app-context.js';
import { AuthScreen } from './AuthScreen.js';
import { Shell } from './Shell.js';
import { TitleSync } from './TitleSync.js';

export function App() {
  const { app } = useServices();
  const me = useStore(app.me);
  return (
    <>
      <TitleSync />
      <Announcer />
      {me ? <Shell /> : <AuthScreen />}
    </>
  );
}
