import { z } from 'zod';
import { Email, Password, requiredText, TimeZone } from './common.ts';

/** Sign-in takes any non-empty password: the policy applies when one is set, not when one is tried. */
export const LoginInput = z.object({
  email: Email,
  password: z.string().min(1, 'is required').max(1000),
});
export type LoginInput = z.input<typeof LoginInput>;

export const ChangePasswordInput = z.object({
  current: z.string().min(1, 'is required').max(1000),
  next: Password,
});
export type ChangePasswordInput = z.input<typeof ChangePasswordInput>;

export const UpdateProfileInput = z.object({
  name: requiredText(255),
  timezone: TimeZone,
});
export type UpdateProfileInput = z.input<typeof UpdateProfileInput>;
