/** The workflow's screens, in the order a user goes through them (DESIGN.md, "What a user sees"). */
export interface Screen {
  id: string;
  title: string;
  summary: string;
}

export const SCREENS: readonly Screen[] = [
  { id: 'projects', title: 'Projects', summary: 'Create a project or open an existing one.' },
  { id: 'data', title: 'Data', summary: 'Import notes, validate them, find and redact PII.' },
  { id: 'model', title: 'Model', summary: 'Pick a local model folder or the bundled model.' },
  { id: 'train', title: 'Train', summary: 'Fine-tune with a privacy guarantee you choose.' },
  { id: 'federation', title: 'Federation', summary: 'Train across hospitals with encrypted updates.' },
  { id: 'audit', title: 'Audit', summary: 'Attack the model to see what it leaks.' },
  { id: 'unlearning', title: 'Unlearning', summary: 'Forget a patient from a trained model, with proof.' },
  { id: 'reports', title: 'Reports', summary: 'Export and verify signed PDF audit reports.' },
  { id: 'playground', title: 'Playground', summary: 'Generate text with a model and adapter.' },
  { id: 'settings', title: 'Settings', summary: 'Backend, storage location, air-gapped status.' },
];
