import type { ProcedureId } from './ids.js';
import { requiredLine, validateSections, type ReportSection } from './report.js';

/** A starting text for reports: sections such as Findings and Impression, per procedure or for any. */
export interface ReportTemplate {
  id: number;
  /** Null: offered for every procedure. */
  procedureId: ProcedureId | null;
  name: string;
  sections: ReportSection[];
  createdAt: string;
  updatedAt: string;
}

export interface ReportTemplateInput {
  procedureId?: number | null;
  name: string;
  sections: ReportSection[];
}

export type ValidTemplate = { procedureId: number | null; name: string; sections: ReportSection[] };

export function validateTemplate(input: ReportTemplateInput): ValidTemplate {
  return {
    procedureId: input.procedureId ?? null,
    name: requiredLine('name', input.name, 128),
    sections: validateSections(input.sections),
  };
}
