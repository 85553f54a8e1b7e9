/**
 * The one place that imports tfjs-core for model code. tfjs-core's entry point registers neither the chained
 * methods (`x.add(y)`) nor the gradients of its ops; the imports below do. Order matters: the core must be
 * evaluated first, since registering a gradient reads the core's flags.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export * from '@tensorflow/tfjs-core';
