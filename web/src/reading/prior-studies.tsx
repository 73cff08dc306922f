// The patient's other studies (QIDO-RS by Patient ID), newest first, beside the viewer: one click shows a
// prior in the viewer, another brings back the study being read.
import { qido } from '../api/dicomweb';
import { displayDate, TAG, text } from '../api/dicom-json';
import { patients } from '../api/ris';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

export function PriorStudies(props: {
  patientRef: number;
  current: string;
  shown: string;
  onShow(studyInstanceUid: string): void;
}) {
  const studies = useAsync(async () => {
    const patient = await patients.get(props.patientRef);
    const page = await qido('/studies', {
      PatientID: patient.patientId,
      includefield: 'StudyDescription,ModalitiesInStudy',
      limit: 50,
    });
    return page.matches.sort((a, b) => text(b, TAG.StudyDate).localeCompare(text(a, TAG.StudyDate)));
  }, [props.patientRef]);
  const priors = (studies.data ?? []).filter((s) => text(s, TAG.StudyInstanceUID) !== props.current);
  return (
    <section aria-label="Prior studies">
      <h3>Prior studies</h3>
      <ErrorMessage error={studies.error} onRetry={studies.reload} />
      {studies.data && priors.length === 0 && <p className="muted">No prior study of this patient.</p>}
      <ul className="priors" data-testid="priors">
        {props.shown !== props.current && (
          <li>
            <button type="button" onClick={() => props.onShow(props.current)}>
              ‹ Back to the study being read
            </button>
          </li>
        )}
        {priors.map((study) => {
          const uid = text(study, TAG.StudyInstanceUID);
          return (
            <li key={uid}>
              <button type="button" aria-pressed={props.shown === uid} onClick={() => props.onShow(uid)}>
                {displayDate(text(study, TAG.StudyDate)) || 'no date'} · {text(study, TAG.ModalitiesInStudy)}{' '}
                · {text(study, TAG.StudyDescription) || 'no description'}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
