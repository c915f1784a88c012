/** Facts about the running app that the UI shows (About, Settings) and the report records. */
import { z } from 'zod';

export const AppInfoSchema = z.object({
  name: z.literal('Confidant'),
  version: z.string(),
  platform: z.string(),
  airGapped: z.boolean(),
});

export type AppInfo = z.infer<typeof AppInfoSchema>;
