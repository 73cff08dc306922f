// Window/level presets for CT in Hounsfield units (width, centre), as radiologists commonly set them.
export interface WindowPreset {
  key: string;
  label: string;
  width: number;
  center: number;
}

export const CT_PRESETS: WindowPreset[] = [
  { key: '1', label: 'Lung', width: 1500, center: -600 },
  { key: '2', label: 'Bone', width: 2000, center: 500 },
  { key: '3', label: 'Brain', width: 80, center: 40 },
  { key: '4', label: 'Abdomen', width: 400, center: 50 },
];

export function voiRange(width: number, center: number): { lower: number; upper: number } {
  return { lower: center - width / 2, upper: center + width / 2 };
}
