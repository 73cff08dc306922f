// A series as a Cornerstone stack: WADO-RS metadata of every instance (one request), sorted by position in
// the series, registered with the loader so that frames can be fetched one by one as `wadors:` image IDs.
import { wadors } from '@cornerstonejs/dicom-image-loader';
import { apiJson } from '../api/http';
import { DICOMWEB } from '../api/dicomweb';
import { num, TAG, text, type DicomJson } from '../api/dicom-json';

export interface SeriesStack {
  imageIds: string[];
  first: DicomJson | undefined;
}

export async function loadSeriesStack(study: string, series: string): Promise<SeriesStack> {
  const base = `${DICOMWEB}/studies/${study}/series/${series}`;
  const instances = await apiJson<DicomJson[]>(`${base}/metadata`, {
    headers: { accept: 'application/dicom+json' },
  });
  instances.sort((a, b) => (num(a, TAG.InstanceNumber) ?? 0) - (num(b, TAG.InstanceNumber) ?? 0));
  const imageIds: string[] = [];
  for (const instance of instances) {
    const frames = num(instance, TAG.NumberOfFrames) ?? 1;
    const sop = text(instance, TAG.SOPInstanceUID);
    for (let frame = 1; frame <= frames; frame++) {
      const imageId = `wadors:${location.origin}${base}/instances/${sop}/frames/${frame}`;
      // The loader reads pixel module, plane and VOI attributes from this metadata.
      wadors.metaDataManager.add(imageId, instance as Parameters<typeof wadors.metaDataManager.add>[1]);
      imageIds.push(imageId);
    }
  }
  return { imageIds, first: instances[0] };
}
