// The SSRF guard lives in core (shared by notifications and remote @context fetches); re-exported here.
export { guardedLookup, isPrivateAddress, isPrivateHostLiteral, PrivateAddressError, resolvePublic } from '../../core/net.guard.ts';
