import { z } from "zod";
import { ZRole } from "./roles";

export const ZSignIn = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid email address").max(254),
  password: z.string().min(1, "Enter your password").max(1024),
});
export type TSignIn = z.infer<typeof ZSignIn>;

export const ZPassword = z.string().min(12, "Use at least 12 characters").max(1024);

export const ZCreateUser = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid email address").max(254),
  name: z.string().trim().min(1, "Enter a name").max(120),
  role: ZRole,
  password: ZPassword,
});
export type TCreateUser = z.infer<typeof ZCreateUser>;

export const ZUpdateUser = z
  .object({
    role: ZRole.optional(),
    disabled: z.boolean().optional(),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "Nothing to change" });
export type TUpdateUser = z.infer<typeof ZUpdateUser>;

export const ZCreateApiToken = z.object({
  name: z.string().trim().min(1, "Name the token").max(80),
  role: ZRole,
  /** Days until the token stops working; null means it never expires (discouraged, allowed for admins). */
  expiresInDays: z.number().int().min(1).max(365).nullable().default(90),
});
export type TCreateApiToken = z.infer<typeof ZCreateApiToken>;

/** What the browser and API clients learn about the signed-in principal. */
export const ZSessionUser = z.object({ id: z.string(), email: z.string(), name: z.string(), role: ZRole });
export type SessionUser = z.output<typeof ZSessionUser>;
