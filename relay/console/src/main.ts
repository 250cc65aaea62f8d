import './style.css';
import { ConsoleApp } from './ConsoleApp.ts';

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app');
void new ConsoleApp(root).start();
