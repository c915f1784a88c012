/** API calls about the app itself, the encrypted store (unlock, lock) and the settings. */
import { arch, platform } from 'node:os';
import { ConfidantError } from '../../shared/confidantError.js';
import { passphraseStrength } from '../../shared/passphraseStrength.js';
import type { EngineSession } from '../engineSession.js';
import type { CallImplementations } from './callImplementations.js';

type StoreCallName =
  | 'appInfo'
  | 'store.status'
  | 'store.unlock'
  | 'store.lock'
  | 'store.forget'
  | 'settings.get'
  | 'settings.setBackend'
  | 'settings.probeBackends';

/** Why nothing leaves the machine, in the words the settings screen shows. */
export const NETWORK_POLICY = [
  'The app loads nothing from the internet: every request other than its own files is cancelled.',
  'The engine listens only on this computer (127.0.0.1), and only with this session’s token.',
  'Models, data, runs and reports stay in the encrypted store on this disk.',
];

export function storeCalls(session: EngineSession): CallImplementations<StoreCallName> {
  const settings = () => ({
    dataDirectory: session.dataDirectory.path,
    dataDirectorySource: session.dataDirectory.source,
    backend: session.backend,
    airGapped: true,
    networkPolicy: NETWORK_POLICY,
    door: session.options.door ?? 'web-bridge',
  });
  return {
    appInfo: () => ({
      name: 'Confidant',
      version: session.options.version,
      platform: `${platform()} ${arch()}`,
      airGapped: true,
    }),
    'store.status': () => session.status(),
    'store.unlock': (request) => {
      if (request.create && request.passphrase !== undefined) {
        const strength = passphraseStrength(request.passphrase);
        if (!strength.acceptable) {
          throw new ConfidantError(
            'STORE_WEAK_PASSPHRASE',
            'This passphrase is too weak for a store of clinical notes.',
            {
              where: { field: 'Passphrase' },
              ...(strength.advice ? { hint: strength.advice } : {}),
            },
          );
        }
      }
      return session.unlock(request);
    },
    'store.lock': () => session.lock(),
    'store.forget': () => session.forget(),
    'settings.get': settings,
    'settings.setBackend': ({ backend }) => {
      session.setBackend(backend);
      return settings();
    },
    'settings.probeBackends': async () => {
      const { probeBackends } = await import('../../engine/backendProbe.js');
      return (await probeBackends()).map((s) => ({ name: s.name, available: s.available, detail: s.detail }));
    },
  };
}
