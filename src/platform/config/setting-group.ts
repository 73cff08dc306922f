import { Type, type TProperties } from '@sinclair/typebox';

// Groups default to {} so that Value.Default fills in their leaves when the file leaves a group out.
export const group = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { default: {}, additionalProperties: false });
