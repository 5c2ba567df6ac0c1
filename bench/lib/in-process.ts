// The validation a request makes, called in-process with no HTTP in between: the session lookup, then
// the domain's validateToken. The baseline "(a) same SQL in-process" of the validate sections.
import type { Ctx } from '../../api/domain/context';
import { userForSession } from '../../api/domain/auth';
import { validateToken } from '../../api/domain/tokens';
import type { ValidationItem } from './load';

export async function validateInProcess(ctx: Ctx, item: ValidationItem): Promise<void> {
  const user = await userForSession(ctx, item.cookie.slice('et_session='.length));
  if (!user) throw new Error('no session');
  await validateToken(ctx, { id: user.id, role: user.role, ip: '127.0.0.1' }, { token: item.code, reason: 'bench: resuscitation', patientRef: 'MRN-1' });
}
