// xhr2 ships no types: it is an XMLHttpRequest class for Node, which dicomweb-client needs as a global.
declare module 'xhr2' {
  const XMLHttpRequest: new () => unknown;
  export default XMLHttpRequest;
}
