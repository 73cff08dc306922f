import dcmjs from 'dcmjs';

// dcmjs logs a warning per element for things like implicit-VR "ox" lookups; a library must not print.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');
dcmjs.log.getLogger('dcmjs').setLevel('silent');

export { dcmjs };
