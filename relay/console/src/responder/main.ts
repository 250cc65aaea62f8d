import '../style.css';
import './responder.css';
import { ResponderApp } from './ResponderApp.ts';

const root = document.getElementById('app');
if (!root) throw new Error('responder.html has no #app');
void new ResponderApp(root).start();
