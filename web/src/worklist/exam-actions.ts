// What a technologist may do next with an exam, by order status (the RIS status machine, ris/README.md).
export interface ExamAction {
  to: string;
  label: string;
}

export const EXAM_ACTIONS: Record<string, ExamAction[]> = {
  scheduled: [{ to: 'arrived', label: 'Arrived' }],
  ordered: [{ to: 'arrived', label: 'Arrived' }],
  arrived: [{ to: 'in-progress', label: 'Start' }],
  'in-progress': [
    { to: 'completed', label: 'Complete' },
    { to: 'discontinued', label: 'Discontinue' },
  ],
};
