/**
 * createAccountant('rdp' | 'prv'), as Opacus opacus/accountants/registry.py create_accountant.
 * A Record over the Mechanism union: forgetting a mechanism is a compile error.
 */
import type { Accountant, Mechanism } from './accountant.js';
import { PrvAccountant, type PrvAccountantOptions } from './prv.js';
import { RdpAccountant, type RdpAccountantOptions } from './rdp.js';

export interface AccountantOptions {
  rdp?: RdpAccountantOptions;
  prv?: PrvAccountantOptions;
}

const FACTORIES: Record<Mechanism, (options: AccountantOptions) => Accountant> = {
  rdp: (options) => new RdpAccountant(options.rdp),
  prv: (options) => new PrvAccountant(options.prv),
};

export function createAccountant(mechanism: Mechanism, options: AccountantOptions = {}): Accountant {
  return FACTORIES[mechanism](options);
}

export function isMechanism(name: string): name is Mechanism {
  return Object.hasOwn(FACTORIES, name);
}
