export * from './gen/xinbox/v1/xinbox_pb.js';
export * from './codec.js';
export * from './errors.js';
export * from './close-codes.js';
export * from './limits.js';
export * from './push-frame.js';
export * from './message-encoder.js';
export * from './hot-frames.js';
export { create, toBinary, fromBinary, clone } from '@bufbuild/protobuf';
