// A database with something in every corner, made through the domain as the app would make it: users of
// each role, sessions and a sign-in code, tokens assigned (sealed for delivery) and unassigned, used,
// revoked, a validation that opened a grant with its record and review, a lockout (attempt counters),
// requests approved and rejected, ward settings, outbox rows, and text beyond ASCII. For the backup,
// restore and move tests, which then compare every table.
import { login, createSignInCode } from '../../api/domain/auth';
import type { Actor, Ctx } from '../../api/domain/context';
import { reviewGrant } from '../../api/domain/grants';
import { createRecord } from '../../api/domain/records';
import { approveRequest, createRequest, rejectRequest } from '../../api/domain/requests';
import { updateSettings } from '../../api/domain/settings';
import { generateTokens, revokeToken, validateToken } from '../../api/domain/tokens';
import { createUser } from '../../api/domain/users';

export interface Populated {
  admin: Actor;
  nurses: Actor[];
  /** Plaintexts of tokens still available, by holder id ('' for unassigned). */
  available: Record<string, string[]>;
}

export async function populate(ctx: Ctx, tag = 'p'): Promise<Populated> {
  const admin = await createUser(ctx, null, { username: `${tag}-admin`, name: 'Admin Siti Rahayu', role: 'admin', password: 'admin-password-1' });
  const adminActor: Actor = { id: admin.id, role: 'admin', ip: '10.0.0.1' };
  const nurses: Actor[] = [];
  for (const [i, name] of ['Nurse Dewi Lestari', 'Nurse Ana Müller', 'Nurse 王芳'].entries()) {
    const u = await createUser(ctx, adminActor, {
      username: `${tag}-nurse${i}`,
      name,
      role: 'staff',
      password: `nurse-password-${i}1`,
      slackUserId: i === 0 ? `U0${tag.toUpperCase()}NURSE` : null,
    });
    nurses.push({ id: u.id, role: 'staff', ip: `10.0.1.${i}` });
  }
  await login(ctx, { username: `${tag}-nurse0`, password: 'nurse-password-01', ip: '10.0.1.0' });
  await createSignInCode(ctx, nurses[1]!.id);

  const available: Record<string, string[]> = {};
  const mine = await generateTokens(ctx, adminActor, { count: 6, userId: nurses[0]!.id, notes: 'night shift — ICU' });
  const general = await generateTokens(ctx, adminActor, { count: 4, length: 4 });
  await revokeToken(ctx, adminActor, general[3]!.id);

  // A validation opens a grant; the record and the review hang off it.
  const { grant } = await validateToken(ctx, nurses[0]!, { token: mine[0]!.token, reason: 'henti jantung, bed 4', patientRef: 'MRN-0042' });
  await createRecord(ctx, nurses[0]!, {
    patientName: 'Budi Santoso',
    patientRef: 'MRN-0042',
    complaint: 'sesak napas "akut"\nSpO₂ 84%',
    triageLevel: 1,
    notes: 'O₂ 10 L/min',
  });
  await reviewGrant(ctx, adminActor, grant.id, { verdict: 'justified', note: 'ok ✓' });
  await validateToken(ctx, nurses[2]!, { token: general[0]!.token, reason: 'code blue', patientRef: null });

  // Wrong guesses until the lockout (attempt counters, lockout events).
  for (let i = 0; i < ctx.config.lockout.attempts; i++) {
    await validateToken(ctx, nurses[1]!, { token: '000000', reason: 'guess' }).catch(() => {});
  }

  const approved = await createRequest(ctx, nurses[2]!, { quantity: 3, reason: 'minggu depan' });
  await approveRequest(ctx, adminActor, approved.id, { note: 'approved by admin' });
  const rejected = await createRequest(ctx, nurses[1]!, { quantity: 2, reason: 'spare' });
  await rejectRequest(ctx, adminActor, rejected.id, { reason: 'you hold enough' });
  await createRequest(ctx, nurses[0]!, { quantity: 1 });

  await updateSettings(ctx, { id: admin.id, role: 'admin' }, { escalationText: 'Call the charge nurse: ext. 4411' });

  available[nurses[0]!.id] = mine.slice(1).map((t) => t.token);
  available[''] = general.slice(1, 3).map((t) => t.token);
  return { admin: adminActor, nurses, available };
}
