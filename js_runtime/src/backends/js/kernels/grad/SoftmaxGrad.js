import { softmaxGradKernel } from './_softmax_grad.js';

/** SoftmaxGrad(g, y): the gradient of Softmax along `axis` from its output y: y * (g - sum(g * y)). */
export const SoftmaxGrad = softmaxGradKernel('SoftmaxGrad');
