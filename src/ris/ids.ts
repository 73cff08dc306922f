// Database keys of RIS rows, branded so that an order id is never passed where a booking id belongs.
export type ProcedureId = number & { readonly __brand: 'ProcedureId' };
export type OrderId = number & { readonly __brand: 'OrderId' };
export type ResourceId = number & { readonly __brand: 'ResourceId' };
export type BookingId = number & { readonly __brand: 'BookingId' };
