// The emergency record being written, kept in memory (lib/memory.ts) as she types, so that neither the
// end of the grant, nor the idle lock, nor leaving the screen loses it. Offered back after the next
// validation; dropped when it is saved, discarded, or she signs out.
import { keep, recall, useKept } from './memory';

export interface RecordDraft {
  userId: string;
  patientName: string;
  patientRef: string;
  complaint: string;
  triage: number | null;
  notes: string;
  /** When she last typed in it (ms). */
  updatedAt: number;
}

export const DRAFT_KEY = 'record-draft';

export function emptyDraft(userId: string, patientRef = ''): RecordDraft {
  return { userId, patientName: '', patientRef, complaint: '', triage: null, notes: '', updatedAt: Date.now() };
}

/** Something worth keeping: any field she filled in (a patient reference copied from the grant is not enough). */
export function hasContent(d: RecordDraft | null): d is RecordDraft {
  return Boolean(d && (d.patientName.trim() || d.complaint.trim() || d.notes.trim() || d.triage !== null));
}

export function useDraft(userId: string): [RecordDraft | null, (d: RecordDraft | null) => void] {
  const [d, set] = useKept<RecordDraft>(DRAFT_KEY);
  return [d && d.userId === userId ? d : null, set];
}

export const savedDraft = (userId: string) => {
  const d = recall<RecordDraft>(DRAFT_KEY);
  return d && d.userId === userId && hasContent(d) ? d : null;
};

export const discardDraft = () => keep<RecordDraft>(DRAFT_KEY, null);
