import { softmaxGradKernel } from './_softmax_grad.js';

/** LogSoftmaxGrad(g, y): the gradient of LogSoftmax along `axis` from its output y: g - exp(y) * sum(g). */
export const LogSoftmaxGrad = softmaxGradKernel('LogSoftmaxGrad');
